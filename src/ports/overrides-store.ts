import type { ActionStatus } from '../domain/action-status.js';
import type { AuditEvent } from '../domain/audit-event.js';
import type { OverrideEnd } from '../domain/override-coverage.js';
import type { TenantOverrides } from '../domain/policy-model.js';

/**
 * Which pending approvals an override change ends, and how. `ends` maps a
 * tool to its outcome where outcomes differ by tool (incident mode: each
 * tool's safest mode); other matching actions end by `otherwise`.
 */
export interface PendingEndSpec {
  match: { agent?: string; tool?: string; nonLowRisk?: boolean };
  ends: ReadonlyMap<string, OverrideEnd>;
  otherwise: OverrideEnd;
  policyVersion: string;
  at: Date;
  /** Added to each ended action's audit event: who, which command, why. */
  audit: { admin: Record<string, unknown>; cause: string; reason: string | null };
  /** How many of the newest ended actions to list (their cards are updated now). */
  newest: number;
}

export interface EndedAction {
  id: string;
  status: ActionStatus;
  hasCallback: boolean;
}

/** What an override change ended: how many, the newest few, and every one owed a callback. */
export interface EndedActions {
  count: number;
  /** Newest first, at most the spec's `newest`. */
  newest: EndedAction[];
  withCallback: EndedAction[];
}

/**
 * Runtime overrides made by admins, versioned per tenant. `get` may serve a
 * cached copy: every decision re-checks the version in the statement that
 * records it (intake, reviews), so a stale read can never be recorded.
 * Left out: history (the audit trail has every change).
 */
export interface OverridesStore {
  get(tenant: string): Promise<TenantOverrides>;
  invalidate(tenant: string): void;
  /**
   * Applies `change` to the current overrides, bumps the version, appends the
   * audit event and ends every pending approval `end` covers: one transaction,
   * so no approval the change covers can be decided after it commits. The
   * ended approvals' own audit events are recorded as owed in that
   * transaction and written by `writeOwedAudit`.
   */
  update(
    tenant: string,
    change: (current: TenantOverrides) => TenantOverrides,
    audit: (next: TenantOverrides) => AuditEvent,
    end?: (next: TenantOverrides) => PendingEndSpec | undefined,
  ): Promise<{ overrides: TenantOverrides; ended: EndedActions }>;
  /**
   * Writes the audit events owed to approvals that override changes ended
   * (each change's in one transaction, exactly once however many processes
   * call this); returns each tenant and how many events it got. Called after
   * a change, and by the reconciler for any a crash left owed.
   */
  writeOwedAudit(): Promise<{ tenant: string; events: number }[]>;
}
