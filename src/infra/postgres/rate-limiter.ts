import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { RateLimiter, RateVerdict } from '../../ports/rate-limiter.js';
import { WindowCounters, type UnmergedCount } from '../window-counters.js';

// Sorted by key, so two processes merging the same keys lock their rows in
// the same order and never deadlock. A row of an older window starts over.
const MERGE_SQL = `
  INSERT INTO rate_limit_counters AS c (key, window_start, hits)
  SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS m (key, window_start, hits) ORDER BY key
  ON CONFLICT (key) DO UPDATE SET
    hits = CASE WHEN c.window_start = EXCLUDED.window_start THEN c.hits + EXCLUDED.hits
                WHEN c.window_start < EXCLUDED.window_start THEN EXCLUDED.hits
                ELSE c.hits END,
    window_start = GREATEST(c.window_start, EXCLUDED.window_start)
  RETURNING key, window_start, hits`;

/**
 * The rate limiter without Redis: no I/O on a request. Each process counts
 * in memory (WindowCounters) and every `mergeMs` merges what it admitted into
 * one row per key in Postgres, in one statement for all keys, learning the
 * total of every process in return. A process therefore sees the others'
 * requests up to `mergeMs` late: together, P processes can admit up to what
 * they admit in one `mergeMs` beyond the limit (the README documents this).
 * A merge that fails (Postgres away) is retried with the next one; meanwhile
 * each process still enforces the limit on what it sees.
 */
export class PgRateLimiter implements RateLimiter {
  private readonly counters: WindowCounters;
  private readonly timer: NodeJS.Timeout;
  private merging: Promise<void> | undefined;
  private failing = false;

  constructor(
    private readonly pool: Pool,
    private readonly opts: { limit: number; windowMs: number; mergeMs?: number; log: Logger; now?: () => number },
  ) {
    this.counters = new WindowCounters(opts.limit, opts.windowMs, opts.now);
    this.timer = setInterval(() => void this.merge(), opts.mergeMs ?? 200);
    this.timer.unref();
  }

  hit(key: string): RateVerdict {
    return this.counters.hit(key);
  }

  /** Merges this process's counts now (one at a time; a call during a merge waits for it). */
  merge(): Promise<void> {
    this.merging ??= this.mergeOnce().finally(() => (this.merging = undefined));
    return this.merging;
  }

  private async mergeOnce(): Promise<void> {
    const counts = this.counters.drain();
    if (counts.length === 0) return;
    try {
      const { rows } = await this.pool.query<{ key: string; window_start: string; hits: string }>(MERGE_SQL, [
        counts.map((c) => c.key),
        counts.map((c) => c.window * this.opts.windowMs),
        counts.map((c) => c.count),
      ]);
      for (const r of rows) this.counters.merged(r.key, Number(r.window_start) / this.opts.windowMs, Number(r.hits));
      if (this.failing) this.opts.log.info('rate limit counters are shared through Postgres again');
      this.failing = false;
    } catch (err) {
      this.restore(counts, err);
    }
  }

  private restore(counts: UnmergedCount[], err: unknown) {
    this.counters.restore(counts);
    if (!this.failing) this.opts.log.warn({ err: (err as Error).message }, 'rate limit counters cannot be merged in Postgres; each process limits on its own meanwhile');
    this.failing = true;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.merge();
  }
}
