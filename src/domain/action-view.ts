import type { Action, ReviewerIdentity } from './action.js';

const reviewerView = (r: ReviewerIdentity) => ({
  platform: r.platform,
  id: r.userId,
  team_id: r.teamId,
  email: r.email ?? null,
  name: r.name ?? null,
  ...(r.via ? { via: r.via.kind } : {}),
});

/**
 * The API view of an action. Internal bookkeeping stays out.
 * `args_sha256` is the keyed binding digest of the current argument version
 * (HMAC-SHA256 with AIRLOCK_SECRET): it names the exact arguments approvals
 * are bound to, and nobody without the secret can compute or invert it.
 */
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
    args_version: a.argsVersion,
    args_sha256: a.argsSha256,
    ...(a.outcomeDetail ? { outcome_detail: a.outcomeDetail } : {}),
    ...(a.reviews.length > 0
      ? {
          reviews: a.reviews.map((r) => ({
            reviewer: reviewerView(r.reviewer),
            decision: r.decision,
            reason: r.reason ?? null,
            at: r.at.toISOString(),
            round: r.round,
            args_version: r.argsVersion,
            args_sha256: r.argsSha256 || null,
          })),
        }
      : {}),
    ...(a.approvedArgs
      ? {
          // Redacted fields hold the `[redacted]` marker: the agent keeps the values it submitted there.
          approved_args: a.approvedArgs,
          args_edits: a.argsEdits.map((e) => ({ version: e.version, by: reviewerView(e.by), at: e.at.toISOString(), changes: e.changes })),
        }
      : {}),
    ...(a.result
      ? {
          result: {
            outcome: a.result.outcome,
            detail: a.result.detail ?? null,
            external_ref: a.result.externalRef ?? null,
            args_check: a.result.argsCheck ?? null,
            violation: a.result.violation ?? null,
            at: a.result.at.toISOString(),
          },
        }
      : {}),
  };
}
