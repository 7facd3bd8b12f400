import type { RateVerdict } from '../ports/rate-limiter.js';

/** Counts of one key not yet merged into a shared counter. */
export interface UnmergedCount {
  key: string;
  /** Index of the fixed window (`floor(ms / windowMs)`). */
  window: number;
  count: number;
}

interface Entry {
  window: number;
  /** Requests this process admitted in the window. */
  local: number;
  /** Of those, not yet handed to a merge. */
  unmerged: number;
  /** What other processes had admitted in the window, as of the last merge. */
  others: number;
}

/**
 * Fixed-window request counts held in this process: the part of a rate
 * limiter that needs no I/O. On its own it limits one process; with a shared
 * counter it limits them all, as of the last merge: `drain` hands over the
 * counts not yet merged, `merged` brings back the shared total.
 */
export class WindowCounters {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  hit(key: string): RateVerdict {
    const now = this.now();
    const window = Math.floor(now / this.windowMs);
    let e = this.entries.get(key);
    if (!e || e.window !== window) {
      // A new window; counts of an older one that were never merged no longer matter.
      e = { window, local: 0, unmerged: 0, others: 0 };
      this.entries.set(key, e);
    }
    if (e.local + e.others >= this.limit) {
      return { limited: true, retryAfterSeconds: ((window + 1) * this.windowMs - now) / 1000 };
    }
    e.local++;
    e.unmerged++;
    return { limited: false };
  }

  /** Takes the counts not yet merged, one per key; drops keys idle since an earlier window. */
  drain(): UnmergedCount[] {
    const current = Math.floor(this.now() / this.windowMs);
    const out: UnmergedCount[] = [];
    for (const [key, e] of this.entries) {
      if (e.unmerged > 0) {
        out.push({ key, window: e.window, count: e.unmerged });
        e.unmerged = 0;
      } else if (e.window < current) {
        this.entries.delete(key);
      }
    }
    return out;
  }

  /** The shared total of `key` in `window` after a merge of this process's counts (those drained before it). */
  merged(key: string, window: number, total: number): void {
    const e = this.entries.get(key);
    if (!e || e.window !== window) return;
    // Every count drained so far is in `total`; the ones still unmerged are not.
    e.others = Math.max(0, total - (e.local - e.unmerged));
  }

  /** A merge failed: its counts go back, to be merged with the next one. */
  restore(counts: UnmergedCount[]): void {
    for (const c of counts) {
      const e = this.entries.get(c.key);
      if (e && e.window === c.window) e.unmerged += c.count;
    }
  }
}
