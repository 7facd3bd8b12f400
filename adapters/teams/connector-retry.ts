import { RateLimited } from '../../src/domain/rate-limited.js';
import { statusOf, toDeliveryError } from './teams-errors.js';

export interface RetryOptions {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Backoff before the 2nd, 3rd… attempt after a 5xx or network error (doubled each time). */
  baseDelayMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 4, baseDelayMs: 250 };

/** Without a Retry-After, a 429 asks the queue to wait this long. */
const DEFAULT_RATE_LIMIT_WAIT_MS = 1_000;

/**
 * Runs one connector call: 5xx and network errors back off and retry, a few
 * times; a 429 is handed to the queue as RateLimited (the job waits out
 * Retry-After without holding a worker slot or spending an attempt); what
 * still fails becomes a delivery error (permanent for 4xx such as 403/404,
 * retryable otherwise).
 */
export async function withRetries<T>(what: string, call: () => Promise<T>, opts: RetryOptions = DEFAULT_RETRY): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const status = statusOf(err);
      if (status === 429) throw new RateLimited(retryAfterMs(err) ?? DEFAULT_RATE_LIMIT_WAIT_MS, `Teams ${what}`);
      const transient = status === undefined || status >= 500;
      if (!transient || attempt >= opts.attempts) throw toDeliveryError(err, what);
      await new Promise((resolve) => setTimeout(resolve, opts.baseDelayMs * 2 ** (attempt - 1)));
    }
  }
}

/** Retry-After in seconds or as an HTTP date, from whichever shape the HTTP client's error has. */
export function retryAfterMs(err: unknown): number | undefined {
  const headers = (err as { response?: { headers?: unknown } })?.response?.headers as
    | { get?: (name: string) => string | undefined }
    | Record<string, string | undefined>
    | undefined;
  const raw = typeof headers?.get === 'function' ? headers.get('retry-after') : (headers as Record<string, string | undefined> | undefined)?.['retry-after'];
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
