import type { Pool } from 'pg';
import type { Decision, Mode } from '../../domain/decision.js';
import type { ApprovalFigures, GroupEvidence, ToolEvidence } from '../../domain/evidence.js';
import type { EvidenceQuery, EvidenceStore } from '../../ports/evidence-store.js';

/**
 * One pass over the window's actions, grouped three ways at once (per tool,
 * decision and mode; per tool; per reviewer group).
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
const FIGURES_SQL = `
WITH w AS (
  SELECT tool, reviewer_group, status, decision, rule,
    (reviewer_group IS NOT NULL) AS queued,
    CASE WHEN reviewer_group IS NOT NULL THEN 'queue_for_approval' ELSE decision END AS intake_decision,
    CASE WHEN reviewer_group IS NOT NULL THEN 'approval_required' ELSE mode END AS intake_mode,
    CASE WHEN reviewer_group IS NOT NULL AND decision = 'queue_for_approval' AND status IN ('approved', 'denied', 'succeeded', 'failed', 'rolled_back')
      THEN extract(epoch FROM decided_at - created_at)::float8 END AS decision_seconds,
    (result IS NOT NULL AND result->>'argsCheck' = 'mismatch') AS mismatch
  FROM actions
  WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3 AND ($4::text IS NULL OR tool = $4)
), o AS (
  SELECT *,
    (queued AND decision = 'queue_for_approval' AND status IN ('approved', 'succeeded', 'failed', 'rolled_back')) AS approved,
    (queued AND decision = 'queue_for_approval' AND status = 'denied') AS denied,
    (queued AND (status = 'expired' OR (decision = 'fallback' AND rule <> 'overrides.incident' AND status IN ('succeeded', 'failed', 'rolled_back')))) AS expired
  FROM w
)
SELECT GROUPING(tool, intake_decision, intake_mode, reviewer_group) AS set_bits,
  tool, intake_decision, intake_mode, reviewer_group,
  count(*)::int AS actions,
  count(*) FILTER (WHERE decision = 'fallback')::int AS fallbacks,
  count(*) FILTER (WHERE queued)::int AS queued,
  count(*) FILTER (WHERE approved)::int AS approved,
  count(*) FILTER (WHERE denied)::int AS denied,
  count(*) FILTER (WHERE expired)::int AS expired,
  count(*) FILTER (WHERE status = 'pending')::int AS pending,
  percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY decision_seconds) AS decision_seconds,
  count(*) FILTER (WHERE status = 'succeeded')::int AS succeeded,
  count(*) FILTER (WHERE status = 'failed')::int AS failed,
  count(*) FILTER (WHERE status = 'rolled_back')::int AS rolled_back,
  count(*) FILTER (WHERE mismatch)::int AS args_mismatches
FROM o
GROUP BY GROUPING SETS ((tool, intake_decision, intake_mode), (tool), (reviewer_group))`;

/** GROUPING() bits (tool, decision, mode, group; tool is the highest) of each grouping set. */
const BY_TOOL_DECISION_MODE = 0b0001;
const BY_TOOL = 0b0111;
const BY_GROUP = 0b1110;

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
    const { rows } = await this.pool.query<FiguresRow>(FIGURES_SQL, [q.tenant, q.since, q.until, q.tool ?? null]);
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
    return { tools: byName(tools, (t) => t.tool), groups: byName(groups, (g) => g.group) };
  }
}
