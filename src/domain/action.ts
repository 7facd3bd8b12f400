import type { ActionStatus, ResultOutcome } from './action-status.js';
import type { Decision, Effect, Mode, PolicyDecision, Risk } from './decision.js';

export interface Requester {
  id: string;
  email?: string;
  display?: string;
}

/** A reviewer as the chat platform identified them; `key` is unique per person and platform. */
export interface ReviewerIdentity {
  platform: 'slack' | 'teams';
  userId: string;
  teamId: string;
  email?: string;
  name?: string;
}

export interface Review {
  reviewer: ReviewerIdentity;
  decision: 'approve' | 'deny';
  reason?: string;
  at: Date;
}

export interface ActionResult {
  outcome: ResultOutcome;
  detail?: string;
  externalRef?: string;
  argsSha256?: string;
  violation?: string;
  at: Date;
}

/**
 * An action as stored. `args` are already redacted: the original values of
 * `redact` paths never leave the intake request. `argsSha256` binds the
 * original arguments (computed before redaction).
 */
export interface Action {
  id: string;
  tenant: string;
  agent: string;
  tool: string;
  status: ActionStatus;
  decision: Decision;
  mode: Mode;
  reasons: string[];
  rule: string;
  hardBoundary: PolicyDecision['hardBoundary'];
  policyVersion: string;
  args: Record<string, unknown>;
  argsSha256: string;
  approvedArgs?: Record<string, unknown>;
  summary?: string;
  requester: Requester;
  workflow?: string;
  environment: string;
  sessionId?: string;
  context: Record<string, unknown>;
  callbackUrl?: string;
  target?: string;
  risk: Risk;
  effects: Effect[];
  consequence?: string;
  reviewerGroup?: string;
  requiredApprovals?: number;
  escalated: boolean;
  /** 0 for the first reviewer group, 1 after escalation. */
  round: number;
  /** Reviewer keys of distinct approvers so far. */
  approvals: string[];
  remindAt?: Date;
  remindedRound?: number;
  /** Why a pending action ended without a review, or how it was escalated. */
  outcomeDetail?: string;
  expiresAt?: Date;
  createdAt: Date;
  decidedAt?: Date;
  reviews: Review[];
  result?: ActionResult;
  latencyMs?: number;
}

export const reviewerKey = (r: ReviewerIdentity) => `${r.platform}:${r.teamId}:${r.userId}`;

export const isIrreversible = (a: Pick<Action, 'effects'>) => a.effects.includes('irreversible');
