import type { Pool } from 'pg';
import type { Logger } from 'pino';

// Any constant works; it only has to be the same in every Airlock process.
const FOLD_LOCK = 0x41696863; // "Aihc"

const KIND = 'tenant_id, hour, tool, reviewer_group, status, decision, mode, incident, args_mismatch';

/**
 * Moves the deltas the action triggers appended (action_count_changes) into
 * the hourly counts, in one statement: what is moved is exactly what was
 * deleted, so a delta is counted once whether a reader's snapshot saw it
 * before or after. Deltas of transactions still open are not visible to the
 * DELETE and wait for the next fold.
 */
const FOLD_SQL = `
WITH moved AS (DELETE FROM action_count_changes RETURNING *)
INSERT INTO action_hour_counts (${KIND}, n)
SELECT ${KIND}, sum(n) FROM moved
GROUP BY ${KIND}
HAVING sum(n) <> 0
ORDER BY ${KIND}
ON CONFLICT (${KIND}) DO UPDATE SET n = action_hour_counts.n + EXCLUDED.n`;

/**
 * Folds the pending deltas into the hourly counts, in one process at a time
 * (another process folding already: nothing to do). Returns how many delta
 * rows were folded, null when another process held the fold.
 */
export async function foldActionCounts(pool: Pool): Promise<number | null> {
  const client = await pool.connect();
  let folded: number | null = null;
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [FOLD_LOCK]);
    if (rows[0]?.locked) {
      const moved = await client.query<{ n: string }>('SELECT count(*) AS n FROM action_count_changes');
      folded = Number(moved.rows[0]!.n);
      if (folded > 0) await client.query(FOLD_SQL);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
  if (folded) {
    // Both tables churn (every fold deletes the deltas and rewrites the counts it
    // touched): vacuumed here, so that their size never depends on autovacuum.
    // Never truncated: that takes a lock the triggers' inserts would wait on.
    await pool.query('VACUUM (SKIP_LOCKED, TRUNCATE false) action_count_changes, action_hour_counts');
    // The pages intake filled since: summarised, so that a window's edge reads only its own.
    await pool.query("SELECT brin_summarize_new_values('actions_created_brin')");
  }
  return folded;
}

/**
 * Keeps the hourly action counts folded every few seconds, so that a report
 * reads few deltas. Readers are exact without it (they add the deltas); it
 * only keeps them fast.
 */
export function keepActionCountsFolded(pool: Pool, log: Logger, everyMs = 5_000): () => void {
  let running = false;
  let failing = false;
  const fold = async () => {
    if (running) return;
    running = true;
    try {
      await foldActionCounts(pool);
      if (failing) log.info('folding the hourly action counts works again');
      failing = false;
    } catch (err) {
      // Logged once per failure spell: the next tick retries, and reports stay exact meanwhile.
      if (!failing) log.warn({ err: (err as Error).message }, 'could not fold the hourly action counts; reports stay exact but slow down until it works');
      failing = true;
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void fold(), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
