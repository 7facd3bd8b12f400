import { AirlockError } from '../../domain/errors.js';
import type { AuditSink } from '../../ports/audit-sink.js';

/** How long the sink has to take a batch and answer: a collector that stalls is retried with backoff rather than waited for. */
export const SINK_TIMEOUT_MS = 30_000;

/** The network reason, e.g. ECONNREFUSED, from a fetch failure (undici puts it in `cause`). */
function reason(err: Error): string {
  if (err.name === 'TimeoutError') return 'no answer in time';
  if (err.name === 'AbortError') return 'shutting down';
  const cause = err.cause as { code?: string; message?: string } | undefined;
  return cause?.code ?? cause?.message ?? err.message;
}

/**
 * POSTs batches to AUDIT_SINK_URL over pooled keep-alive connections. The URL
 * is the operator's own configuration (https, or http on loopback), so it is
 * not checked against internal addresses as agents' callback targets are.
 * Redirects are not followed. `close` aborts what is in flight: nothing was
 * acknowledged, so it is sent again later.
 */
export function createHttpAuditSink(url: string, opts: { timeoutMs?: number } = {}): AuditSink & { close(): void } {
  const closing = new AbortController();
  const timeoutMs = opts.timeoutMs ?? SINK_TIMEOUT_MS;
  return {
    async deliver(body, headers) {
      try {
        const res = await fetch(url, {
          method: 'POST',
          body,
          headers,
          redirect: 'manual',
          signal: AbortSignal.any([closing.signal, AbortSignal.timeout(timeoutMs)]),
        });
        // Read (and drop) the answer so the connection is reused.
        await res.arrayBuffer();
        return { status: res.status };
      } catch (err) {
        throw new AirlockError('delivery_failed', `the audit sink did not answer (${reason(err as Error)})`, { retry: true, cause: err });
      }
    },
    close: () => closing.abort(),
  };
}
