import type { Action, ActionResult, Review } from '../domain/action.js';
import type { ActionStatus } from '../domain/action-status.js';
import type { AuditEvent } from '../domain/audit-event.js';

export interface NewActionRecord {
  action: Action;
  audit: AuditEvent;
  idempotencyKey?: string;
  requestHash: string;
  /** The overrides version the decision was evaluated with; the write is refused if it moved. */
  overridesVersion: number;
}

export type RecordOutcome =
  | { kind: 'recorded' }
  | { kind: 'stale_overrides' }
  | { kind: 'idempotency_key_taken' };

/**
 * Durable store of actions and their reviews. Every write that changes an
 * action's state appends its audit event in the same transaction. Every read is
 * scoped by tenant: there is no way to fetch an action without naming it.
 */
export interface ActionStore {
  record(input: NewActionRecord): Promise<RecordOutcome>;
  get(tenant: string, id: string): Promise<Action | undefined>;
  findByIdempotencyKey(tenant: string, agent: string, key: string): Promise<{ action: Action; requestHash: string } | undefined>;
  pendingCount(tenant: string, reviewerGroup: string): Promise<number>;
  /** Records the agent's result once; `undefined` when a result was already recorded or the status does not allow one. */
  recordResult(tenant: string, id: string, result: ActionResult, allowedFrom: ActionStatus[], audit: AuditEvent): Promise<Action | undefined>;
}

export type { Review };
