import { AirlockError } from '../domain/errors.js';

/** What a refused wait suggests: waits end within 60 s, usually much sooner. */
const RETRY_WAIT_SECONDS = 5;

/**
 * Concurrent `?wait` requests per agent in this process. A wait holds a
 * socket and a place among an action's waiters for up to 60 s; without a cap
 * one key could hold thousands. Per process on purpose: what a wait costs
 * (sockets, memory) is the process's own.
 */
export class WaitSlots {
  private readonly held = new Map<string, number>();
  private total = 0;

  constructor(
    private readonly maxPerAgent: number,
    private readonly onChange: (total: number) => void = () => undefined,
  ) {}

  /** Takes a slot for `agent`, or throws `rate_limited` (429 with Retry-After); call the result once the wait ends. */
  take(agent: string): () => void {
    const n = this.held.get(agent) ?? 0;
    if (n >= this.maxPerAgent) {
      throw new AirlockError('rate_limited', `this agent already holds ${this.maxPerAgent} waiting requests (AIRLOCK_MAX_WAITS_PER_AGENT); retry when one has ended`, {
        context: { retryAfterSeconds: RETRY_WAIT_SECONDS },
      });
    }
    this.held.set(agent, n + 1);
    this.onChange(++this.total);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.held.get(agent) ?? 1) - 1;
      if (left === 0) this.held.delete(agent);
      else this.held.set(agent, left);
      this.onChange(--this.total);
    };
  }
}
