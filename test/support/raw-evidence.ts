/**
 * The evidence report's statements as they were before actions were counted
 * per hour: every figure computed from the action rows themselves. Kept as
 * the oracle the hourly counts must agree with, whatever happened to the
 * actions (slices aligned on the epoch, as the counted statement aligns them).
 */
const BY_TOOL = 0b0111;
const BY_GROUP = 0b1110;

const IN_WINDOW = 'tenant_id = $1 AND created_at >= $2 AND created_at < $3 AND ($4::text IS NULL OR tool = $4)';

export const RAW_FIGURES_SQL = `
WITH fine AS (
  SELECT tool, reviewer_group, status, decision, mode, (rule = 'overrides.incident') AS incident,
    count(*) AS n, count(*) FILTER (WHERE result->>'argsCheck' = 'mismatch') AS mismatches
  FROM actions
  WHERE ${IN_WINDOW}
  GROUP BY 1, 2, 3, 4, 5, 6
), classified AS (
  SELECT *,
    (reviewer_group IS NOT NULL) AS queued,
    CASE WHEN reviewer_group IS NOT NULL THEN 'queue_for_approval' ELSE decision END AS intake_decision,
    CASE WHEN reviewer_group IS NOT NULL THEN 'approval_required' ELSE mode END AS intake_mode,
    (reviewer_group IS NOT NULL AND decision = 'queue_for_approval' AND status IN ('approved', 'succeeded', 'failed', 'rolled_back')) AS approved,
    (reviewer_group IS NOT NULL AND decision = 'queue_for_approval' AND status = 'denied') AS denied,
    (reviewer_group IS NOT NULL AND (status = 'expired' OR (decision = 'fallback' AND NOT incident AND status IN ('succeeded', 'failed', 'rolled_back')))) AS expired
  FROM fine
), figures AS (
  SELECT GROUPING(tool, intake_decision, intake_mode, reviewer_group) AS set_bits,
    tool, intake_decision, intake_mode, reviewer_group,
    sum(n)::int AS actions,
    COALESCE(sum(n) FILTER (WHERE decision = 'fallback'), 0)::int AS fallbacks,
    COALESCE(sum(n) FILTER (WHERE queued), 0)::int AS queued,
    COALESCE(sum(n) FILTER (WHERE approved), 0)::int AS approved,
    COALESCE(sum(n) FILTER (WHERE denied), 0)::int AS denied,
    COALESCE(sum(n) FILTER (WHERE expired), 0)::int AS expired,
    COALESCE(sum(n) FILTER (WHERE status = 'pending'), 0)::int AS pending,
    COALESCE(sum(n) FILTER (WHERE status = 'succeeded'), 0)::int AS succeeded,
    COALESCE(sum(n) FILTER (WHERE status = 'failed'), 0)::int AS failed,
    COALESCE(sum(n) FILTER (WHERE status = 'rolled_back'), 0)::int AS rolled_back,
    sum(mismatches)::int AS args_mismatches
  FROM classified
  GROUP BY GROUPING SETS ((tool, intake_decision, intake_mode), (tool), (reviewer_group))
), times AS (
  SELECT GROUPING(tool, reviewer_group) AS set_bits, tool, reviewer_group,
    percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY extract(epoch FROM decided_at - created_at)::float8) AS decision_seconds
  FROM actions
  WHERE ${IN_WINDOW}
    AND reviewer_group IS NOT NULL AND decision = 'queue_for_approval' AND status IN ('approved', 'denied', 'succeeded', 'failed', 'rolled_back')
  GROUP BY GROUPING SETS ((tool), (reviewer_group))
)
SELECT f.*, t.decision_seconds
FROM figures f LEFT JOIN times t
  ON (f.set_bits = ${BY_TOOL} AND t.set_bits = 1 AND t.tool = f.tool) OR (f.set_bits = ${BY_GROUP} AND t.set_bits = 2 AND t.reviewer_group = f.reviewer_group)`;

export const RAW_TIMELINE_SQL = `
SELECT date_bin(make_interval(secs => $5), created_at, timestamptz 'epoch') AS start,
  CASE WHEN reviewer_group IS NOT NULL THEN 'queue_for_approval' ELSE decision END AS decision,
  count(*)::int AS count
FROM actions
WHERE ${IN_WINDOW}
GROUP BY 1, 2
ORDER BY 1, 2`;
