import { AirlockClientError, type AirlockErrorDetail } from './errors.js';

export interface RetryPolicy {
  /** Requests at most, the first included (default 5). */
  attempts: number;
  /** First backoff; doubles each retry, with full jitter (default 250 ms). */
  baseDelayMs: number;
  /** Longest backoff, and the longest `Retry-After` honoured (default 5000 ms). */
  maxDelayMs: number;
}

export interface Transport {
  baseUrl: string;
  agentKey: string;
  fetch: typeof fetch;
  requestTimeoutMs: number;
  retry: RetryPolicy;
}

export interface CallOptions {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Safe to send again: a GET, or a POST whose repeat Airlock recognises (Idempotency-Key). Only these are retried. */
  idempotent: boolean;
  /** This request's own timeout (a long poll needs its wait on top of the usual one). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Absolute time (ms) after which no request starts and none is waited for. */
  deadline?: number;
}

export interface Answer {
  status: number;
  json: unknown;
  headers: Headers;
  attempts: number;
}

/** Statuses worth another try for an idempotent request: overload and outages, never a refusal. */
const TRANSIENT = new Set([429, 500, 502, 503, 504]);

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; details?: unknown };
}

/**
 * One logical request: timeouts on every attempt (headers and body), retries
 * with exponential backoff and jitter for idempotent requests on network
 * errors, timeouts and transient statuses, honouring `Retry-After`. A 2xx
 * whose body is not JSON is `malformed`; an error status becomes `http` with
 * Airlock's code and message. Never returns anything but a 2xx answer.
 */
export async function call(t: Transport, o: CallOptions): Promise<Answer> {
  const what = `${o.method} /${o.path.split('?')[0]}`;
  let failure: AirlockClientError | undefined;
  let retryAfterMs: number | undefined;
  for (let attempt = 1; attempt <= t.retry.attempts; attempt++) {
    if (attempt > 1) {
      const backoff = Math.min(t.retry.maxDelayMs, t.retry.baseDelayMs * 2 ** (attempt - 2));
      const delay = retryAfterMs !== undefined ? Math.min(retryAfterMs, t.retry.maxDelayMs) : Math.random() * backoff;
      if (o.deadline !== undefined && Date.now() + delay >= o.deadline) break;
      await sleep(delay, o.signal, what);
    }
    retryAfterMs = undefined;
    if (o.signal?.aborted) throw aborted(what, attempt - 1);
    const remaining = o.deadline === undefined ? Infinity : o.deadline - Date.now();
    if (remaining <= 0) break;
    const timeoutMs = Math.min(o.timeoutMs ?? t.requestTimeoutMs, remaining);
    const outcome = await once(t, o, what, timeoutMs, attempt);
    if ('answer' in outcome) return outcome.answer;
    failure = outcome.failure;
    retryAfterMs = outcome.retryAfterMs;
    if (!outcome.transient || !o.idempotent) throw failure;
  }
  if (failure) {
    throw new AirlockClientError(failure.kind, `${failure.message}; gave up after ${failure.attempts} attempt${failure.attempts > 1 ? 's' : ''}`, {
      ...failure,
      cause: failure.cause,
    });
  }
  throw new AirlockClientError('timeout', `${what}: no time left before the deadline; treat the action as not allowed`);
}

async function once(
  t: Transport,
  o: CallOptions,
  what: string,
  timeoutMs: number,
  attempt: number,
): Promise<{ answer: Answer } | { failure: AirlockClientError; transient: boolean; retryAfterMs?: number }> {
  const ac = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ac.abort();
  }, timeoutMs);
  const onAbort = () => ac.abort();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    let status: number;
    let text: string;
    let headers: Headers;
    try {
      const res = await t.fetch(new URL(o.path, t.baseUrl), {
        method: o.method,
        headers: {
          authorization: `Bearer ${t.agentKey}`,
          accept: 'application/json',
          ...(o.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...o.headers,
        },
        body: o.body === undefined ? undefined : JSON.stringify(o.body),
        signal: ac.signal,
        // A redirect is answered, never followed (a login page is not a decision); `manual` works on every runtime.
        redirect: 'manual',
      });
      status = res.status;
      headers = res.headers;
      // The body is read under the same timeout: a server can hang after its headers.
      text = await res.text();
    } catch (err) {
      if (o.signal?.aborted) throw aborted(what, attempt);
      if (timedOut) {
        return {
          failure: new AirlockClientError('timeout', `Airlock did not answer ${what} within ${timeoutMs} ms; treat the action as not allowed`, { attempts: attempt, cause: err }),
          transient: true,
        };
      }
      return {
        failure: new AirlockClientError('unreachable', `Airlock at ${t.baseUrl} is unreachable (${what}: ${describe(err)}); treat the action as not allowed`, {
          attempts: attempt,
          cause: err,
        }),
        transient: true,
      };
    }
    let json: unknown;
    let parsed = true;
    try {
      json = text.length ? JSON.parse(text) : undefined;
    } catch {
      parsed = false;
    }
    if (status >= 200 && status < 300) {
      if (!parsed || json === undefined) {
        return {
          failure: new AirlockClientError('malformed', `Airlock answered ${what} with ${status} but not JSON (${JSON.stringify(text.slice(0, 80))}); treat the action as not allowed`, {
            status,
            attempts: attempt,
          }),
          transient: false,
        };
      }
      return { answer: { status, json, headers, attempts: attempt } };
    }
    if (status < 200 || (status >= 300 && status < 400)) {
      const where = headers.get('location');
      return {
        failure: new AirlockClientError('http', `Airlock answered ${what} with a redirect (${status || 'opaque'}${where ? ` to ${where}` : ''}), which is not a decision; treat the action as not allowed`, {
          status,
          attempts: attempt,
        }),
        transient: false,
      };
    }
    const err = (json as ErrorBody | undefined)?.error;
    const code = typeof err?.code === 'string' ? err.code : undefined;
    const message = typeof err?.message === 'string' ? err.message : text.slice(0, 200) || 'no message';
    const details = Array.isArray(err?.details) ? (err.details as AirlockErrorDetail[]) : [];
    const detailText = details.length ? ` [${details.map((d) => `${d.path}: ${d.message}`).join('; ')}]` : '';
    return {
      failure: new AirlockClientError('http', `Airlock refused ${what} with ${status}${code ? ` ${code}` : ''}: ${message}${detailText}`, {
        status,
        code,
        details,
        attempts: attempt,
      }),
      transient: TRANSIENT.has(status),
      retryAfterMs: retryAfter(headers.get('retry-after')),
    };
  } finally {
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
  }
}

const retryAfter = (h: string | null): number | undefined => {
  if (!h) return undefined;
  const seconds = Number(h);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(h);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
};

const describe = (err: unknown): string => {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (err as Error)?.message ?? String(err);
};

export const aborted = (what: string, attempts: number) =>
  new AirlockClientError('aborted', `${what} was aborted by the caller; treat the action as not allowed`, { attempts });

/** Waits `ms`, or rejects as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal | undefined, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(aborted(what, 0));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(aborted(what, 0));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
