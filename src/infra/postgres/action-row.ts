import type { Action } from '../../domain/action.js';
import type { ArgsEdit } from '../../domain/args-edit.js';

/** Columns of `actions`, the payload's `args` and `context`, and the aggregated reviews, as returned by ACTION_SELECT. */
export interface ActionRow {
  id: string;
  tenant_id: string;
  agent: string;
  tool: string;
  status: Action['status'];
  decision: Action['decision'];
  mode: Action['mode'];
  reasons: string[];
  rule: string;
  hard_boundary: Action['hardBoundary'];
  policy_version: string;
  args: Record<string, unknown>;
  args_sha256: string;
  submitted_args_digest: string;
  args_version: number;
  args_edits: (Omit<ArgsEdit, 'at'> & { at: string })[];
  redact: string[];
  card_platforms: string[];
  approved_args: Record<string, unknown> | null;
  summary: string | null;
  requester: Action['requester'];
  workflow: string | null;
  environment: string;
  session_id: string | null;
  context: Record<string, unknown>;
  callback_url: string | null;
  target: string | null;
  risk: Action['risk'];
  effects: Action['effects'];
  consequence: string | null;
  reviewer_group: string | null;
  required_approvals: number | null;
  escalated: boolean;
  round: number;
  approvals: string[];
  remind_at: Date | null;
  reminded_round: number | null;
  outcome_detail: string | null;
  expires_at: Date | null;
  created_at: Date;
  decided_at: Date | null;
  result: (Omit<NonNullable<Action['result']>, 'at'> & { at: string }) | null;
  latency_ms: number | null;
  request_hash: string | null;
  traceparent: string | null;
  tracestate: string | null;
  reviews:
    | { reviewer: Action['reviews'][number]['reviewer']; decision: 'approve' | 'deny'; reason: string | null; at: string; round: number; args_version: number; args_sha256: string | null }[]
    | null;
}

/** An action: its state (`actions`) with its arguments and context (`action_payloads`), the platforms still owing its round's card (`card_debts`) and its reviews. */
export const ACTION_SELECT = `
  SELECT a.*, p.args, p.context, p.traceparent, p.tracestate, COALESCE(d.platforms, '{}') AS card_platforms, (
    SELECT json_agg(json_build_object('reviewer', r.reviewer, 'decision', r.decision, 'reason', r.reason, 'at', r.at,
      'round', r.round, 'args_version', r.args_version, 'args_sha256', r.args_sha256) ORDER BY r.id)
    FROM reviews r WHERE r.action_id = a.id
  ) AS reviews
  FROM actions a JOIN action_payloads p ON p.action_id = a.id
  LEFT JOIN card_debts d ON d.action_id = a.id AND d.round = a.round`;

const opt = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

export function toAction(r: ActionRow): Action {
  return {
    id: r.id,
    tenant: r.tenant_id,
    agent: r.agent,
    tool: r.tool,
    status: r.status,
    decision: r.decision,
    mode: r.mode,
    reasons: r.reasons,
    rule: r.rule,
    hardBoundary: r.hard_boundary,
    policyVersion: r.policy_version,
    args: r.args,
    argsSha256: r.args_sha256,
    submittedArgsDigest: r.submitted_args_digest,
    argsVersion: r.args_version,
    argsEdits: r.args_edits.map((e) => ({ ...e, at: new Date(e.at) })),
    redact: r.redact,
    cardPlatforms: r.card_platforms,
    approvedArgs: opt(r.approved_args),
    summary: opt(r.summary),
    requester: r.requester,
    workflow: opt(r.workflow),
    environment: r.environment,
    sessionId: opt(r.session_id),
    context: r.context,
    callbackUrl: opt(r.callback_url),
    target: opt(r.target),
    risk: r.risk,
    effects: r.effects,
    consequence: opt(r.consequence),
    reviewerGroup: opt(r.reviewer_group),
    requiredApprovals: opt(r.required_approvals),
    escalated: r.escalated,
    round: r.round,
    approvals: r.approvals,
    remindAt: opt(r.remind_at),
    remindedRound: opt(r.reminded_round),
    outcomeDetail: opt(r.outcome_detail),
    expiresAt: opt(r.expires_at),
    createdAt: r.created_at,
    decidedAt: opt(r.decided_at),
    reviews: (r.reviews ?? []).map((v) => ({
      reviewer: v.reviewer,
      decision: v.decision,
      reason: opt(v.reason),
      at: new Date(v.at),
      round: v.round,
      argsVersion: v.args_version,
      argsSha256: v.args_sha256 ?? '',
    })),
    result: r.result ? { ...r.result, at: new Date(r.result.at) } : undefined,
    latencyMs: opt(r.latency_ms),
    ...(r.traceparent ? { traceparent: r.traceparent } : {}),
    ...(r.tracestate ? { tracestate: r.tracestate } : {}),
  };
}
