import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { PaceRule, ReserveOptions, SendPacer } from '../../ports/send-pacer.js';

/** A holder may use its slot this much early: a delayed job is promoted on the worker's clock, and a few ms early hurts nobody. */
export const EARLY_MS = 20;
/** An unused held slot (its job gone, or run much later) lapses this long after its time. */
export const KEEP_MS = 60_000;

/**
 * The send pacer without Redis (migration 0019): one function call per send,
 * atomic per key under the key's row lock, on the database's clock, so every
 * process shares the slots. When Postgres does not answer, sends go unpaced
 * (the platform's 429 still delays them); the next send asks again.
 */
export class PgSendPacer implements SendPacer {
  private warned = false;

  constructor(
    private readonly pool: Pool,
    private readonly log: Logger,
  ) {}

  async reserve(key: string, holder: string, rule: PaceRule, opts: ReserveOptions = {}): Promise<number> {
    return this.call(async () => {
      const { rows } = await this.pool.query<{ wait: string }>('SELECT airlock_pace_reserve($1, $2, $3, $4, $5, $6, $7) AS wait', [
        key,
        holder,
        rule.intervalMs,
        rule.burst,
        EARLY_MS,
        KEEP_MS,
        opts.ahead === true,
      ]);
      return Number(rows[0]?.wait ?? 0);
    });
  }

  async holdOff(key: string, ms: number, rule: PaceRule): Promise<void> {
    await this.call(async () => {
      await this.pool.query('SELECT airlock_pace_hold_off($1, $2, $3, $4)', [key, Math.ceil(ms), rule.intervalMs, rule.burst]);
      return 0;
    });
  }

  private async call(query: () => Promise<number>): Promise<number> {
    try {
      const wait = await query();
      if (this.warned) this.log.info('chat sends are paced through Postgres again');
      this.warned = false;
      return wait;
    } catch (err) {
      if (!this.warned) this.log.warn({ err: (err as Error).message }, 'chat send pacing cannot reach Postgres; sending unpaced meanwhile (the platform still answers 429 when over its limit)');
      this.warned = true;
      return 0;
    }
  }

  async close(): Promise<void> {}
}
