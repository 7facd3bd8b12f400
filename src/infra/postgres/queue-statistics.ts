import type { Pool } from 'pg';
import type { Logger } from 'pino';

// Any constant works; it only has to be the same in every Airlock process.
const ANALYZE_LOCK = 0x41697271; // "Airq"

/**
 * Keeps the planner statistics of BullMQ's PostgreSQL job table fresh.
 *
 * The table swings from empty to thousands of delayed jobs within seconds
 * (one expiry timer per pending action). Planned on statistics taken while it
 * was nearly empty, BullMQ's "next delayed job" query (`MIN(process_at_ms)`)
 * reads every delayed job of the queue instead of the first index entry, and
 * every idle worker runs it after every job: measured at ~350k index entries
 * read per second at 100 actions/s, which starved intake and card posting.
 * Autovacuum's analyze comes at most once a minute; this runs every few
 * seconds, in one process at a time.
 */
export function keepQueueStatisticsFresh(pool: Pool, schema: string, log: Logger, everyMs = 5_000): () => void {
  const table = `${quoteIdent(schema)}.job`;
  const analyze = async () => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [ANALYZE_LOCK]);
      if (rows[0]?.locked) await client.query(`ANALYZE ${table}`);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      // The table appears once BullMQ has migrated its schema; until then there is nothing to analyze.
      if (!NOT_CREATED_YET.has(String((err as { code?: string }).code))) log.warn({ err: (err as Error).message }, 'could not analyze the queue table');
    } finally {
      client.release();
    }
  };
  const timer = setInterval(() => void analyze(), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** undefined_table, invalid_schema_name. */
const NOT_CREATED_YET = new Set(['42P01', '3F000']);

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
