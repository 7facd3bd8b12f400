import type { TenantOverrides } from '../domain/policy-model.js';

/**
 * Runtime overrides made by admins, versioned per tenant. `get` may serve a
 * cached copy: the action store re-checks the version when it records a
 * decision, so a stale read can never be recorded (see ActionStore.record).
 */
export interface OverridesStore {
  get(tenant: string): Promise<TenantOverrides>;
  invalidate(tenant: string): void;
  /** Applies `change` to the current overrides atomically, bumps the version, and appends the audit event. */
  update(
    tenant: string,
    change: (current: TenantOverrides) => TenantOverrides,
    audit: (next: TenantOverrides) => import('../domain/audit-event.js').AuditEvent,
  ): Promise<TenantOverrides>;
}
