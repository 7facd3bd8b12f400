/**
 * How fast a platform lets one key (a Slack channel, a Slack method in one
 * workspace, a Teams conversation) be sent to: one send per `intervalMs` on
 * average, and up to `burst` at once after a quiet spell (a token bucket of
 * `burst` tokens refilled every `intervalMs`).
 */
export interface PaceRule {
  intervalMs: number;
  burst: number;
}

/**
 * Hands out send slots per key so that every Airlock process together keeps
 * to a platform's rate limits, instead of each learning them from 429s.
 * Shared through Redis when REDIS_URL is set, otherwise through Postgres;
 * times come from that server's clock, so processes on several hosts agree.
 *
 * A slot in the future is *held* for the asking `holder` (a card job: action
 * and round). The caller does not wait for it: it gives its work back to the
 * queue until then (RateLimited), and when it asks again at that time it gets
 * the same slot, not a new one at the back. So N queued sends for one key are
 * each delayed once, to N different slots, and no queue slot is held while
 * waiting. A held slot nobody comes back for lapses a minute after its time.
 *
 * Left out on purpose: fairness between keys (each key is paced on its own;
 * the queue serves whatever is due), priorities within a key (first asked,
 * first served), and failing closed: when the shared store cannot be reached
 * an implementation answers 0 (send now) and the platform's own 429 remains
 * the guard.
 */
export interface ReserveOptions {
  ahead?: boolean;
}

export interface SendPacer {
  /**
   * Milliseconds until `holder` may send on `key`: 0 means now (the slot is
   * used). Asking again for the same holder returns the time left on the
   * slot it holds, and once that has come, 0. With `ahead`, a slot that is
   * due now is held as well: the holder will ask again before it sends (a
   * card reserved when its round starts asks again when its job runs), and
   * that ask uses the slot instead of taking a second one.
   */
  reserve(key: string, holder: string, rule: PaceRule, opts?: ReserveOptions): Promise<number>;
  /** The platform said wait (a 429's Retry-After): no slot of `key` is handed out for `ms` from now, and the bucket starts empty then. */
  holdOff(key: string, ms: number, rule: PaceRule): Promise<void>;
  close(): Promise<void>;
}

/** A pacer that never makes anyone wait (no shared store, or pacing turned off). */
export const unpaced: SendPacer = {
  reserve: async () => 0,
  holdOff: async () => undefined,
  close: async () => undefined,
};
