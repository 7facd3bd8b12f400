import { COUNTED, FIGURES_SQL, REVIEWED, TIMELINE_SQL } from '../../src/infra/postgres/evidence-repository.js';

/**
 * The evidence report's statements with their inputs taken from the action
 * rows themselves, as the report computed them before actions were counted
 * per hour: the oracle the hourly counts and the kept durations must agree
 * with, whatever happened to the actions. Written without the migration's
 * helper functions, so that a mistake in one cannot hide in both. The whole
 * hours' bounds ($5, $6) are not needed here; they are only typed.
 */
const IN_WINDOW = `tenant_id = $1 AND created_at >= $2 AND created_at < $3 AND ($4::text IS NULL OR tool = $4)
  AND $5::timestamptz IS NOT NULL AND $6::timestamptz IS NOT NULL`;

const RAW_COUNTED = `
counted AS (
  SELECT date_bin('1 hour', created_at, timestamptz 'epoch') AS hour, tool, reviewer_group, status, decision, mode,
    rule = 'overrides.incident' AS incident, COALESCE(result->>'argsCheck' = 'mismatch', false) AS args_mismatch, 1 AS n
  FROM actions WHERE ${IN_WINDOW}
)`;

const RAW_REVIEWED = `
reviewed AS (
  SELECT tool, reviewer_group, extract(epoch FROM decided_at - created_at)::float8 AS seconds
  FROM actions
  WHERE ${IN_WINDOW}
    AND reviewer_group IS NOT NULL AND decision = 'queue_for_approval' AND status IN ('approved', 'denied', 'succeeded', 'failed', 'rolled_back')
)`;

const fromRows = (sql: string) => {
  if (!sql.includes(COUNTED)) throw new Error('the statement no longer reads the counted actions as the oracle expects');
  return sql.replace(COUNTED, RAW_COUNTED).replace(REVIEWED, RAW_REVIEWED);
};

export const RAW_FIGURES_SQL = fromRows(FIGURES_SQL);
export const RAW_TIMELINE_SQL = fromRows(TIMELINE_SQL);
