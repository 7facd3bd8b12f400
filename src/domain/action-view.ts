import type { Action } from './action.js';

/** The API view of an action (SPEC §4). Internal bookkeeping stays out. */
export function serializeAction(a: Action) {
  return {
    id: a.id,
    status: a.status,
    decision: a.decision,
    mode: a.mode,
    reasons: a.reasons,
    rule: a.rule,
    policy_version: a.policyVersion,
    expires_at: a.expiresAt?.toISOString() ?? null,
    tool: a.tool,
    agent: a.agent,
    created_at: a.createdAt.toISOString(),
    decided_at: a.decidedAt?.toISOString() ?? null,
    args_sha256: a.argsSha256,
    ...(a.outcomeDetail ? { outcome_detail: a.outcomeDetail } : {}),
    ...(a.reviews.length > 0
      ? {
          reviews: a.reviews.map((r) => ({
            reviewer: { platform: r.reviewer.platform, id: r.reviewer.userId, team_id: r.reviewer.teamId, email: r.reviewer.email ?? null, name: r.reviewer.name ?? null },
            decision: r.decision,
            reason: r.reason ?? null,
            at: r.at.toISOString(),
          })),
        }
      : {}),
    ...(a.approvedArgs ? { approved_args: a.approvedArgs } : {}),
    ...(a.result
      ? {
          result: {
            outcome: a.result.outcome,
            detail: a.result.detail ?? null,
            external_ref: a.result.externalRef ?? null,
            violation: a.result.violation ?? null,
            at: a.result.at.toISOString(),
          },
        }
      : {}),
  };
}
