import type { Action, ActionResult, Review, ReviewerIdentity } from '../domain/action.js';
import type { ArgsEdit } from '../domain/args-edit.js';
import type { ActionStatus } from '../domain/action-status.js';
import type { AuditEvent } from '../domain/audit-event.js';
import type { Decision } from '../domain/decision.js';
import type { ListPosition } from '../domain/list-cursor.js';

export interface NewActionRecord {
  action: Action;
  audit: AuditEvent;
  idempotencyKey?: string;
  /** Set with an idempotency key only. */
  requestHash?: string;
  /** The overrides version the decision was evaluated with; the write is refused if it moved. */
  overridesVersion: number;
  /** When the reconciler should first check that the action's cards were posted (queued actions owing cards). */
  cardsDueAt?: Date;
  /** `action.args` as JSON text, when the caller has it already: written as it is, not serialized again. */
  argsJson?: string;
  /**
   * The agent key the request authenticated with: the write is refused if the
   * key is revoked or past its grace period when it commits, whatever a
   * process's cache of keys still says.
   */
  agentKeyId?: string;
}

export type RecordOutcome =
  | { kind: 'recorded' }
  | { kind: 'stale_overrides' }
  | { kind: 'idempotency_key_taken' }
  | { kind: 'key_revoked' };

/**
 * Durable store of actions and their reviews. Every write that changes an
 * action's state appends its audit event in the same transaction. Every read is
 * scoped by tenant: there is no way to fetch an action without naming it.
 */
export interface ActionStore {
  record(input: NewActionRecord): Promise<RecordOutcome>;
  get(tenant: string, id: string): Promise<Action | undefined>;
  findByIdempotencyKey(tenant: string, agent: string, key: string): Promise<{ action: Action; requestHash: string } | undefined>;
  /** Pending approvals of a reviewer group, counted up to `atMost` (the saturation check needs no more). */
  pendingCount(tenant: string, reviewerGroup: string, atMost: number): Promise<number>;
  /** Records the agent's result once; `undefined` when a result was already recorded or the status does not allow one. */
  recordResult(tenant: string, id: string, result: ActionResult, allowedFrom: ActionStatus[], audit: AuditEvent): Promise<Action | undefined>;

  /**
   * Records a reviewer's click. One conditional UPDATE per click decides, so
   * of two simultaneous clicks exactly one changes the action; it also checks
   * that the tenant's overrides version and the action's round and argument
   * version are still the ones the review was judged against. An approval
   * counts once per person: `already_reviewed` when this round's approvals of
   * this version hold the same identity (`reviewerKey`) or the same verified
   * email on another platform (`approverEmail`). The review row and audit
   * event are written in the same transaction.
   */
  applyReview(input: ReviewInput): Promise<ReviewOutcome>;
  /** Ends a pending action of the given round without a review (timeout, undeliverable card, an override found at review time). */
  endPending(tenant: string, id: string, round: number | 'any', change: EndChange, audit: (a: Action) => AuditEvent): Promise<Action | undefined>;
  /** Moves a pending action to the escalation round, with a fresh deadline. */
  escalate(tenant: string, id: string, fromRound: number, change: EscalateChange, audit: (a: Action) => AuditEvent): Promise<Action | undefined>;
  /** True once per action and round; the reminder's audit event is written with the mark. */
  markReminded(tenant: string, id: string, round: number, audit: AuditEvent): Promise<boolean>;
  /**
   * Pending actions whose round still owes cards and whose check is due, oldest
   * first; each one's next check moves `recheckMs` ahead. Reads only actions
   * that owe a card, however many approvals are pending.
   */
  cardsDue(now: Date, recheckMs: number, limit: number): Promise<{ tenant: string; actionId: string; round: number; platforms: string[] }[]>;
  /** The cards of these actions are due at `at` again (their re-enqueue failed). */
  cardsDueAgain(refs: { tenant: string; actionId: string }[], at: Date): Promise<void>;
  overdue(now: Date, limit: number): Promise<{ tenant: string; actionId: string; round: number }[]>;
  dueReminders(now: Date, limit: number): Promise<{ tenant: string; actionId: string; round: number }[]>;
  /** Records that the callback of a decided action was delivered or given up. */
  callbackSettled(tenant: string, id: string, at: Date): Promise<void>;
  /** Decided queued actions with a callback URL, decided between `olderThanMs` and a day ago, whose callback never settled. */
  unsettledCallbacks(now: Date, olderThanMs: number, limit: number): Promise<{ tenant: string; actionId: string; status: string }[]>;
  /** Up to `limit` ids of the tenant's actions that start with `prefix` (as a person copied it), in id order; none when no UUID starts so. */
  idsStartingWith(tenant: string, prefix: string, limit: number): Promise<string[]>;
  /**
   * Up to `limit` actions of one agent, newest first (creation time, then id),
   * each with its position; with `before`, only those after it in that order.
   * Filters narrow the agent's own actions and never widen them: there is no
   * listing across agents or tenants.
   */
  listOwn(query: ActionListQuery): Promise<{ action: Action; position: ListPosition }[]>;
  /**
   * Up to `limit` actions of one tenant, any agent, newest first (creation
   * time, then id), each with its position; with `before`, only those after
   * it. What an auditor reads in the console: never across tenants.
   */
  listTenant(query: TenantListQuery): Promise<{ action: Action; position: ListPosition }[]>;
  /**
   * The tenant's pending approvals waiting on any of `groups`, oldest first,
   * at most `limit`, and how many there are in all: a console reviewer's inbox.
   */
  pendingFor(tenant: string, groups: readonly string[], limit: number): Promise<{ total: number; actions: Action[] }>;
  /** How many approvals are open, since when, and the oldest `limit` of them (bounded however long the backlog). */
  pendingSummary(tenant: string, limit: number): Promise<{ count: number; oldest?: Date; items: { id: string; tool: string; agent: string; createdAt: Date; expiresAt?: Date; reviewerGroup?: string }[] }>;
}

/** A tenant-wide listing: every filter narrows it. */
export interface TenantListQuery {
  tenant: string;
  agent?: string;
  tool?: string;
  decision?: Decision;
  status?: ActionStatus;
  /** Created at or after. */
  since?: Date;
  /** Created before. */
  until?: Date;
  before?: ListPosition;
  limit: number;
}

export interface ActionListQuery {
  tenant: string;
  agent: string;
  status?: ActionStatus;
  tool?: string;
  /** Created at or after. */
  since?: Date;
  /** Created before. */
  until?: Date;
  before?: ListPosition;
  limit: number;
}

/** "Approve with changes": the new version of the arguments (redacted view), its binding digest and the edit record. */
export interface ReviewEdit {
  args: Record<string, unknown>;
  argsSha256: string;
  record: ArgsEdit;
  /** The consequence rendered again for the new arguments (what the card shows from now on). */
  consequence?: string;
}

export interface ReviewInput {
  tenant: string;
  actionId: string;
  reviewer: ReviewerIdentity;
  decision: 'approve' | 'deny';
  reason?: string;
  /** What the review was judged against; the write is refused if any moved. */
  round: number;
  argsVersion: number;
  overridesVersion: number;
  /** The binding digest of the arguments approved (the new version's when `edit`). */
  argsSha256: string;
  edit?: ReviewEdit;
  at: Date;
  audit: (action: Action) => AuditEvent;
}

export type ReviewOutcome =
  | { kind: 'decided'; action: Action }
  | { kind: 'counted'; action: Action }
  | { kind: 'already_reviewed'; action: Action }
  | { kind: 'args_changed'; action: Action }
  | { kind: 'stale_overrides' }
  | { kind: 'not_pending'; action: Action }
  | { kind: 'not_found' };

export interface EndChange {
  status: 'expired' | 'denied' | 'decided';
  decision: Action['decision'];
  mode: Action['mode'];
  detail: string;
  at: Date;
  /** When an override ended it: the rule and the policy version that decided. */
  rule?: string;
  policyVersion?: string;
}

export interface EscalateChange {
  reviewerGroup: string;
  expiresAt: Date;
  remindAt?: Date;
  detail: string;
  /** Platforms that owe the new round's card, and when the reconciler should first check them. */
  cardPlatforms: string[];
  cardsDueAt: Date;
}

export type { Review };
