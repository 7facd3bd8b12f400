import http from 'node:http';
import https from 'node:https';
import { AirlockError } from '../../domain/errors.js';
import type { AuditSink } from '../../ports/audit-sink.js';

/** How long the sink has to take a batch and answer: a collector that stalls is retried with backoff rather than waited for. */
export const SINK_TIMEOUT_MS = 30_000;

/** Why no answer came, for the log: a network code such as ECONNREFUSED, never the URL. */
function reason(err: Error): string {
  if (err.name === 'AbortError') return (err.cause as Error | undefined)?.name === 'TimeoutError' ? `no answer within ${SINK_TIMEOUT_MS / 1000} s` : 'shutting down';
  return (err as NodeJS.ErrnoException).code ?? err.message;
}

/**
 * POSTs batches to AUDIT_SINK_URL over keep-alive connections (node:http(s):
 * the body goes out as the bytes that were signed, with no copy). The URL is
 * the operator's own configuration (https, or http on loopback), so it is not
 * checked against internal addresses as agents' callback targets are.
 * Redirects are not followed. `close` aborts what is in flight: nothing of it
 * was acknowledged, so it is sent again later.
 */
export function createHttpAuditSink(url: string, opts: { timeoutMs?: number } = {}): AuditSink & { close(): void } {
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  const agent = new client.Agent({ keepAlive: true });
  const closing = new AbortController();
  const timeoutMs = opts.timeoutMs ?? SINK_TIMEOUT_MS;
  return {
    deliver(body, headers) {
      return new Promise((resolve, reject) => {
        const fail = (err: Error) => reject(new AirlockError('delivery_failed', `the audit sink did not answer (${reason(err)})`, { retry: true, cause: err }));
        const req = client.request(
          target,
          { method: 'POST', agent, headers: { ...headers, 'content-length': String(body.length) }, signal: AbortSignal.any([closing.signal, AbortSignal.timeout(timeoutMs)]) },
          (res) => {
            // Only the status matters; the answer is read to its end so the connection is reused.
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
            res.on('error', fail);
          },
        );
        req.on('error', fail);
        req.end(body);
      });
    },
    close() {
      closing.abort();
      agent.destroy();
    },
  };
}
