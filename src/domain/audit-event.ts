import type { Action, ReviewerIdentity } from './action.js';

export const AUDIT_KINDS = [
  'decision',
  'review',
  'review_refused',
  'approved',
  'denied',
  'expired',
  'timeout_fallback',
  'escalated',
  'reminder',
  'card_posted',
  'card_failed',
  'callback_delivered',
  'callback_failed',
  'result',
  'admin_change',
  'admin_refused',
  // An agent key created, rotated or revoked (never the key itself).
  'agent_key',
] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

/**
 * One audit record. The fields are SPEC §7's minimum set; values are copied
 * from the (already redacted) action, so a redacted argument can never enter
 * the trail.
 */
export interface AuditEvent {
  tenant: string;
  kind: AuditKind;
  actionId?: string;
  at: Date;
  data: Record<string, unknown>;
}

export function actionAuditFields(a: Action): Record<string, unknown> {
  return {
    request_id: a.id,
    tenant: a.tenant,
    environment: a.environment,
    workflow: a.workflow ?? null,
    agent: a.agent,
    requester: a.requester,
    session: a.sessionId ?? null,
    tool: a.tool,
    target: a.target ?? null,
    summary: a.summary ?? null,
    risk: a.risk,
    reversibility: a.effects.includes('irreversible') ? 'irreversible' : 'reversible',
    effects: a.effects,
    hard_boundary: a.hardBoundary,
    policy_version: a.policyVersion,
    rule: a.rule,
    decision: a.decision,
    mode: a.mode,
    status: a.status,
    reasons: a.reasons,
    consequence: a.consequence ?? null,
    args: a.args,
    args_sha256: a.argsSha256,
  };
}

export function decisionEvent(a: Action, latencyMs: number): AuditEvent {
  return {
    tenant: a.tenant,
    kind: 'decision',
    actionId: a.id,
    at: a.createdAt,
    data: { ...actionAuditFields(a), final_decision: a.decision, reviewer: null, execution_result: null, latency_ms: latencyMs },
  };
}

export const reviewerAuditFields = (r: ReviewerIdentity) => ({
  platform: r.platform,
  user_id: r.userId,
  team_id: r.teamId,
  email: r.email ?? null,
});
