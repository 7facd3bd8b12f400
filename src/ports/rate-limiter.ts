/** What a rate limiter answers for one request. */
export type RateVerdict = { limited: false } | { limited: true; retryAfterSeconds: number };

/**
 * Counts requests per key (an agent) in fixed windows and says whether one
 * more may proceed. Shared by every Airlock process of a deployment, within
 * the precision its implementation documents: the Redis one counts every
 * request there, the Postgres one counts in each process and merges the
 * counts every fraction of a second (so together the processes can overshoot
 * the limit by what they admit in that fraction).
 *
 * Left out on purpose: fairness between keys, queueing or delaying a request
 * (a limited one is refused at once, with when to retry), and failing closed.
 * When the shared counter cannot be reached, each process keeps counting on
 * its own: a Redis or Postgres outage neither stops intake nor lifts the limit.
 */
export interface RateLimiter {
  hit(key: string): RateVerdict | Promise<RateVerdict>;
  close(): Promise<void>;
}

/** A limiter that never limits (AIRLOCK_RATE_LIMIT_PER_AGENT=0). */
export const unlimited: RateLimiter = { hit: () => ({ limited: false }), close: async () => undefined };
