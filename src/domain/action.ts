import type { ActionStatus, ResultOutcome } from './action-status.js';
import type { Decision, Effect, Mode, PolicyDecision, Risk } from './decision.js';
import type { ShadowDecision } from './shadow.js';

export interface Requester {
  id: string;
  email?: string;
  display?: string;
}

/** A reviewer as the chat platform identified them; `reviewerKey` is unique per platform identity, `approverEmail` joins one person's identities. */
export interface ReviewerIdentity {
  /** The chat platform's name (`slack`, `teams`); the core never branches on it. */
  platform: string;
  userId: string;
  teamId: string;
  email?: string;
  name?: string;
  /**
   * The identity provider groups that made this person a member (the web
   * console: only groups the tenant's policy names), kept with the review so
   * the audit trail says why the person could decide.
   */
  groups?: string[];
  /** Set when an operator recorded the review from the CLI on this reviewer's behalf (their OS user). */
  via?: { kind: 'cli'; operator: string };
}

/** One argument a reviewer changed; `from`/`to` are absent when the path had or has no value. Never a redacted path. */
export interface ArgsChange {
  path: string;
  from?: unknown;
  to?: unknown;
}

/** "Approve with changes": the version it created, who made it, what changed. */
export interface ArgsEdit {
  version: number;
  by: ReviewerIdentity;
  at: Date;
  changes: ArgsChange[];
}

export interface Review {
  reviewer: ReviewerIdentity;
  decision: 'approve' | 'deny';
  reason?: string;
  at: Date;
  /** The approval round (0, or 1 after escalation) the review was given in. */
  round: number;
  /** The version of the arguments the reviewer saw, and its binding digest (an approval is bound to it). */
  argsVersion: number;
  argsSha256: string;
}

export interface ActionResult {
  outcome: ResultOutcome;
  detail?: string;
  externalRef?: string;
  /** Whether the arguments the agent reports it executed are the bound ones. */
  argsCheck: 'match' | 'mismatch';
  violation?: string;
  at: Date;
}

/**
 * An action as stored. `args` are the submitted arguments, already redacted:
 * the values of `redact` paths never leave the intake request. Reviewers may
 * edit them ("approve with changes"): each edit makes a new version, whose
 * redacted view is `approvedArgs`. `argsSha256` is the keyed binding digest of
 * the current version (see ArgsDigests); `submittedArgsDigest` the keyed
 * digest of the submitted arguments with their redacted values, which a
 * result is checked against.
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
  submittedArgsDigest: string;
  /** 1 as submitted; each approved edit adds one. */
  argsVersion: number;
  /** The current version's arguments (redacted view), once a reviewer edited them. */
  approvedArgs?: Record<string, unknown>;
  argsEdits: ArgsEdit[];
  /** The tool's `redact` paths when the action was submitted (what `args` masks). */
  redact: string[];
  /** Chat platforms that still owe this round's card (set per round, emptied as cards are posted or fail for good). */
  cardPlatforms: string[];
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
  /** Reviewer keys of distinct approvers of the current round and argument version. */
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
  /** What the shadow policy would have decided at intake (never enforced), when one was configured. */
  shadow?: ShadowDecision;
  /**
   * The intake span's W3C trace context, when tracing is on: the card posts,
   * reviews and callback of the action join its trace, whichever process
   * runs them. Never shown to the agent (its callback carries its own header).
   */
  traceparent?: string;
  /** The W3C tracestate the agent sent with its trace, carried on beside `traceparent` (bounded at intake). */
  tracestate?: string;
}

/**
 * One platform identity, normalised the way membership compares ids (trimmed,
 * case-insensitive), so `U0A1` and `u0a1` are one approver of a quorum.
 */
export const reviewerKey = (r: ReviewerIdentity) => [r.platform, r.teamId, r.userId].map((part) => part.trim().toLowerCase()).join(':');

/**
 * The email the platform verified for this reviewer, normalised: identities on
 * different platforms that share it are one person, who counts once towards a
 * quorum. Undefined when the platform did not tell it.
 */
export const approverEmail = (r: ReviewerIdentity): string | undefined => r.email?.trim().toLowerCase() || undefined;

/** The arguments as they stand: the latest approved edit, or as submitted. */
export const currentArgs = (a: Pick<Action, 'args' | 'approvedArgs'>) => a.approvedArgs ?? a.args;

/** Platform identities compare trimmed and case-insensitively (`u0lead1` is `U0LEAD1`). */
export const sameIdentity = (a: string | undefined, b: string | undefined): boolean =>
  a !== undefined && b !== undefined && a.trim().length > 0 && a.trim().toLowerCase() === b.trim().toLowerCase();

export const isIrreversible = (a: Pick<Action, 'effects'>) => a.effects.includes('irreversible');
