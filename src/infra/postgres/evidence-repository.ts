import type { Pool } from 'pg';
import type { Decision, Mode } from '../../domain/decision.js';
import type { ApprovalFigures, GroupEvidence, TimelinePoint, ToolEvidence } from '../../domain/evidence.js';
import type { EvidenceQuery, EvidenceStore } from '../../ports/evidence-store.js';
import { withTransaction } from './transaction.js';

/** GROUPING() bits (tool, decision, mode, group; tool is the highest) of each grouping set. */
const BY_TOOL_DECISION_MODE = 0b0001;
const BY_TOOL = 0b0111;
const BY_GROUP = 0b1110;

/** Rows of a tenant in a window (of one tool, when asked): $1 tenant, $2 since, $3 until, $4 tool or null. */
const TOOL = '($4::text IS NULL OR tool = $4)';

/** The columns every figure derives from, as the count tables keep them per hour. */
const KIND = 'tool, reviewer_group, status, decision, mode, incident, args_mismatch';

/**
 * The window's actions counted by kind and UTC hour of creation: the whole
 * hours inside the window ($5 to $6) from the count tables (folded counts and
 * the deltas not folded yet: together exact, in the statement's snapshot),
 * the partial hours at its edges from the actions themselves (an index range
 * of at most two hours).
 */
export const COUNTED = `
counted AS (
  SELECT hour, ${KIND}, n FROM action_hour_counts WHERE tenant_id = $1 AND hour >= $5 AND hour < $6 AND ${TOOL}
  UNION ALL
  SELECT hour, ${KIND}, n FROM action_count_changes WHERE tenant_id = $1 AND hour >= $5 AND hour < $6 AND ${TOOL}
  UNION ALL
  SELECT action_count_hour(created_at), tool, reviewer_group, status, decision, mode, rule = 'overrides.incident', action_args_mismatch(result), 1
  FROM actions WHERE tenant_id = $1 AND created_at >= $2 AND created_at < LEAST($5, $3) AND ${TOOL}
  UNION ALL
  SELECT action_count_hour(created_at), tool, reviewer_group, status, decision, mode, rule = 'overrides.incident', action_args_mismatch(result), 1
  FROM actions WHERE tenant_id = $1 AND created_at >= $6 AND created_at < $3 AND ${TOOL}
)`;

/** The window's actions reviewers decided, with the seconds from request to their decision. */
export const REVIEWED = `
reviewed AS (
  SELECT tool, reviewer_group, seconds FROM review_durations WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3 AND ${TOOL}
)`;

/**
 * The figures in one statement, no action row of the whole hours read.
 *
 * `fine` counts the window's actions by the few columns every figure derives
 * from (a kind that nets to zero, left behind by actions that moved on, is
 * dropped); everything else folds those counts, grouped three ways at once
 * (per tool, decision and mode; per tool; per reviewer group). `times` takes
 * the percentiles over the actions reviewers decided, from their durations
 * kept apart (the one figure that needs a value per action).
 *
 * A queued action's row is rewritten when its wait ends, so how it ended is
 * read from what each end leaves behind:
 * - reviewers keep `decision = 'queue_for_approval'`: approved (then perhaps
 *   a reported result) or `denied`;
 * - a deadline sets `status = 'expired'` and keeps the rule; a result reported
 *   after a fallback on timeout replaces that status, but the decision is
 *   `fallback` under the rule that queued it, where incident mode ending the
 *   wait names `overrides.incident`;
 * - everything else that ended without reviewers (an admin change, a policy
 *   reload) is withdrawn.
 * `reviewer_group` is set exactly for actions queued at intake.
 */
export const FIGURES_SQL = `
WITH ${COUNTED}, fine AS (
  SELECT tool, reviewer_group, status, decision, mode, incident,
    sum(n) AS n, COALESCE(sum(n) FILTER (WHERE args_mismatch), 0) AS mismatches
  FROM counted
  GROUP BY 1, 2, 3, 4, 5, 6
  HAVING sum(n) <> 0
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
), ${REVIEWED}, times AS (
  SELECT GROUPING(tool, reviewer_group) AS set_bits, tool, reviewer_group,
    percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY seconds) AS decision_seconds
  FROM reviewed
  GROUP BY GROUPING SETS ((tool), (reviewer_group))
)
SELECT f.*, t.decision_seconds
FROM figures f LEFT JOIN times t
  ON (f.set_bits = ${BY_TOOL} AND t.set_bits = 1 AND t.tool = f.tool) OR (f.set_bits = ${BY_GROUP} AND t.set_bits = 2 AND t.reviewer_group = f.reviewer_group)`;

/**
 * Intake decisions per slice of the window, for a chart: the same counts
 * grouped by slice ($7 seconds, whole hours, so that every hour falls in one
 * slice; slices are aligned on the Unix epoch: on clock hours, a day's on
 * midnight UTC) and by the decision as given at intake (a queued action
 * counts as queued however it ended, as in the figures).
 */
export const TIMELINE_SQL = `
WITH ${COUNTED}
SELECT date_bin(make_interval(secs => $7), hour, timestamptz 'epoch') AS start,
  CASE WHEN reviewer_group IS NOT NULL THEN 'queue_for_approval' ELSE decision END AS decision,
  sum(n)::int AS count
FROM counted
GROUP BY 1, 2
HAVING sum(n) <> 0
ORDER BY 1, 2`;

const HOUR_MS = 3_600_000;

/** The whole UTC hours inside [since, until): from the first hour starting at or after `since` to the last ending at or before `until`. */
export function wholeHours(since: Date, until: Date): { from: Date; to: Date } {
  const from = Math.ceil(since.getTime() / HOUR_MS) * HOUR_MS;
  const to = Math.max(from, Math.floor(until.getTime() / HOUR_MS) * HOUR_MS);
  return { from: new Date(from), to: new Date(to) };
}

interface FiguresRow {
  set_bits: number;
  tool: string | null;
  intake_decision: Decision | null;
  intake_mode: Mode | null;
  reviewer_group: string | null;
  actions: number;
  fallbacks: number;
  queued: number;
  approved: number;
  denied: number;
  expired: number;
  pending: number;
  decision_seconds: [number | null, number | null] | null;
  succeeded: number;
  failed: number;
  rolled_back: number;
  args_mismatches: number;
}

const approvals = (r: FiguresRow): ApprovalFigures => ({
  queued: r.queued,
  approved: r.approved,
  denied: r.denied,
  expired: r.expired,
  withdrawn: r.queued - r.approved - r.denied - r.expired - r.pending,
  pending: r.pending,
  p50Seconds: r.decision_seconds?.[0] ?? null,
  p90Seconds: r.decision_seconds?.[1] ?? null,
});

export class PgEvidenceStore implements EvidenceStore {
  constructor(private readonly pool: Pool) {}

  async figures(q: EvidenceQuery) {
    // A read-only transaction: the report writes nothing.
    const { rows, timeline } = await withTransaction(this.pool, async (c) => {
      // No JIT: compiling this statement's expressions took longer than running it
      // (seconds, once a window's size makes the planner inline and optimise).
      await c.query('SET LOCAL jit = off');
      // The percentiles sort a window's reviewed actions (a quarter of a million in a busy month): in memory, not on disk.
      await c.query("SET LOCAL work_mem = '64MB'");
      const hours = wholeHours(q.since, q.until);
      const params = [q.tenant, q.since, q.until, q.tool ?? null, hours.from, hours.to];
      const { rows } = await c.query<FiguresRow>(FIGURES_SQL, params);
      // In the same snapshot, so the chart adds up to the figures beside it.
      const timeline = q.bucketSeconds === undefined ? undefined : (await c.query<TimelinePoint>(TIMELINE_SQL, [...params, q.bucketSeconds])).rows;
      return { rows, timeline };
    }, 'BEGIN READ ONLY ISOLATION LEVEL REPEATABLE READ');
    const byName = <T>(items: T[], name: (t: T) => string) => items.sort((a, b) => (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0));
    const tools: ToolEvidence[] = rows
      .filter((r) => r.set_bits === BY_TOOL)
      .map((r) => ({
        tool: r.tool!,
        actions: r.actions,
        decisions: rows
          .filter((d) => d.set_bits === BY_TOOL_DECISION_MODE && d.tool === r.tool)
          .map((d) => ({ decision: d.intake_decision!, mode: d.intake_mode!, count: d.actions }))
          .sort((a, b) => b.count - a.count),
        fallbacks: r.fallbacks,
        approvals: approvals(r),
        results: { succeeded: r.succeeded, failed: r.failed, rolledBack: r.rolled_back, argsMismatches: r.args_mismatches },
      }));
    const groups: GroupEvidence[] = rows.filter((r) => r.set_bits === BY_GROUP && r.reviewer_group !== null).map((r) => ({ group: r.reviewer_group!, approvals: approvals(r) }));
    return { tools: byName(tools, (t) => t.tool), groups: byName(groups, (g) => g.group), ...(timeline ? { timeline } : {}) };
  }
}
