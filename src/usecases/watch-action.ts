import type { Action } from '../domain/action.js';
import type { ActionEvents } from '../ports/action-events.js';
import type { ActionStore } from '../ports/action-store.js';

/** One request waiting for an action to leave `pending`. */
interface Waiter {
  /** The agent waiting: another agent's action is answered as not found, at once. */
  agent: string;
  /** The newest read this waiter took part in. */
  latest?: Action;
  /** Its deadline passed or its request ended: answer with the next read, or `latest` at once. */
  done: boolean;
  settle(action: Action | undefined | Error): void;
}

/**
 * Every request waiting on one action in this process shares one loop:
 * register for change events, read the action once, hand the read to every
 * waiter, wait for the next change. So a decision costs one store read
 * however many requests wait on it (3,000 waiters each re-reading through
 * the pool stalled intake for seconds).
 *
 * A read serves only waiters that joined before it started: one that joins
 * later gets the next read (which starts at once), so it never receives a
 * state older than its own arrival. Registration precedes each read, so a
 * change committed during a read still wakes the loop.
 */
class ActionWatch {
  private readonly waiters = new Set<Waiter>();
  private joinedSinceRead = false;
  private kick: (() => void) | undefined;

  constructor(
    private readonly deps: { store: ActionStore; events: ActionEvents },
    private readonly tenant: string,
    private readonly id: string,
    private readonly onIdle: () => void,
  ) {}

  /**
   * Resolves with the action once it leaves pending, or as it stands after
   * `timeoutMs` or when `signal` aborts; undefined when it does not exist or
   * is not `agent`'s.
   */
  wait(agent: string, timeoutMs: number, signal?: AbortSignal): Promise<Action | undefined> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        agent,
        done: false,
        settle: (result) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', end);
          this.remove(waiter);
          if (result instanceof Error) reject(result);
          else resolve(result);
        },
      };
      const end = () => {
        waiter.done = true;
        if (waiter.latest) waiter.settle(waiter.latest);
      };
      const timer = setTimeout(end, timeoutMs);
      signal?.addEventListener('abort', end, { once: true });
      if (signal?.aborted) waiter.done = true;
      this.add(waiter);
    });
  }

  private add(waiter: Waiter) {
    const idle = this.waiters.size === 0;
    this.waiters.add(waiter);
    this.joinedSinceRead = true;
    if (idle) void this.loop();
    else this.kick?.();
  }

  private remove(waiter: Waiter) {
    if (this.waiters.delete(waiter) && this.waiters.size === 0) this.kick?.();
  }

  private async loop(): Promise<void> {
    while (this.waiters.size > 0) {
      const ac = new AbortController();
      const woke = this.deps.events.waitForChange(this.id, 61_000, ac.signal);
      const readers = [...this.waiters];
      this.joinedSinceRead = false;
      let result: Action | undefined | Error;
      try {
        result = await this.deps.store.get(this.tenant, this.id);
      } catch (err) {
        result = err as Error;
      }
      for (const w of readers) {
        if (!this.waiters.has(w)) continue;
        if (result instanceof Error || !result) w.settle(result);
        else if (result.agent !== w.agent) w.settle(undefined);
        else if (result.status !== 'pending' || w.done) w.settle(result);
        else w.latest = result;
      }
      if (this.waiters.size > 0 && !this.joinedSinceRead) {
        await Promise.race([woke, new Promise<void>((r) => (this.kick = r))]);
        this.kick = undefined;
      }
      ac.abort();
    }
    this.onIdle();
  }
}

/**
 * The waits of this process, one ActionWatch per action being waited on.
 * Left out on purpose: anything shared between processes (each process
 * reads once per change for its own waiters) and any limit on waiters (the
 * HTTP layer caps them per agent).
 */
export class ActionWatches {
  private readonly watches = new Map<string, ActionWatch>();

  constructor(private readonly deps: { store: ActionStore; events: ActionEvents }) {}

  wait(tenant: string, agent: string, id: string, timeoutMs: number, signal?: AbortSignal): Promise<Action | undefined> {
    const key = `${tenant}\u0000${id}`;
    let watch = this.watches.get(key);
    if (!watch) {
      const created = new ActionWatch(this.deps, tenant, id, () => {
        if (this.watches.get(key) === created) this.watches.delete(key);
      });
      this.watches.set(key, created);
      watch = created;
    }
    return watch.wait(agent, timeoutMs, signal);
  }
}
