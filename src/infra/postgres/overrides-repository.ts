import type { Pool } from 'pg';
import type { AuditEvent } from '../../domain/audit-event.js';
import type { Mode } from '../../domain/decision.js';
import { NO_OVERRIDES, type OverrideStamp, type TenantOverrides } from '../../domain/policy-model.js';
import type { EndedActions, OverridesStore, PendingEndSpec } from '../../ports/overrides-store.js';
import { endCoveredPending, payAuditDebts } from './end-pending.js';
import { withTransaction } from './transaction.js';

export interface OverridesRow {
  /** bigint: pg returns it as text. */
  version: number | string;
  incident: TenantOverrides['incident'];
  denied_tools: Record<string, OverrideStamp>;
  killed_agents: Record<string, OverrideStamp>;
  tool_modes: Record<string, Mode>;
}

// JSON objects come back from pg as plain objects; the domain reads Maps, so a
// name like `constructor` can never find an inherited member.
export const toOverrides = (r: OverridesRow | undefined): TenantOverrides =>
  r
    ? {
        version: Number(r.version),
        incident: r.incident,
        deniedTools: new Map(Object.entries(r.denied_tools)),
        killedAgents: new Map(Object.entries(r.killed_agents)),
        toolModes: new Map(Object.entries(r.tool_modes)),
      }
    : NO_OVERRIDES;

const toJson = (m: ReadonlyMap<string, unknown>) => JSON.stringify(Object.fromEntries(m));

const SELECT = 'SELECT version, incident, denied_tools, killed_agents, tool_modes FROM tenant_overrides WHERE tenant_id = $1';

/**
 * Caches each tenant's overrides in memory. The cache is invalidated by the
 * `airlock_overrides` NOTIFY (wired in main), and a stale entry is harmless:
 * every decision re-checks the version in the statement that records it.
 */
const NOTHING_ENDED: EndedActions = { count: 0, newest: [], withCallback: [] };

export class PgOverridesStore implements OverridesStore {
  private readonly cache = new Map<string, Promise<TenantOverrides>>();

  constructor(private readonly pool: Pool) {}

  /**
   * Every declared tenant gets its overrides row (version 0) before anything
   * is decided for it: intake and reviews share-lock that row, which is what
   * makes them wait for an admin change in flight. Idempotent.
   */
  async ensureTenants(tenants: Iterable<string>): Promise<void> {
    await this.pool.query('INSERT INTO tenant_overrides (tenant_id, version) SELECT unnest($1::text[]), 0 ON CONFLICT DO NOTHING', [[...tenants]]);
  }

  get(tenant: string): Promise<TenantOverrides> {
    let hit = this.cache.get(tenant);
    if (!hit) {
      hit = this.load(tenant);
      this.cache.set(tenant, hit);
      hit.catch(() => this.cache.delete(tenant));
    }
    return hit;
  }

  invalidate(tenant: string): void {
    this.cache.delete(tenant);
  }

  invalidateAll(): void {
    this.cache.clear();
  }

  private async load(tenant: string): Promise<TenantOverrides> {
    const { rows } = await this.pool.query<OverridesRow>(SELECT, [tenant]);
    return toOverrides(rows[0]);
  }

  async update(
    tenant: string,
    change: (current: TenantOverrides) => TenantOverrides,
    audit: (next: TenantOverrides) => AuditEvent,
    end?: (next: TenantOverrides) => PendingEndSpec | undefined,
  ): Promise<{ overrides: TenantOverrides; ended: EndedActions }> {
    const result = await withTransaction(this.pool, async (client) => {
      // The row lock serialises admin changes of one tenant and makes intake and
      // reviews (which share-lock the row) wait until this transaction ends.
      await client.query('INSERT INTO tenant_overrides (tenant_id, version) VALUES ($1, 0) ON CONFLICT DO NOTHING', [tenant]);
      const { rows } = await client.query<OverridesRow>(`${SELECT} FOR UPDATE`, [tenant]);
      const next: TenantOverrides = { ...change(toOverrides(rows[0])), version: Number(rows[0]!.version) + 1 };
      await client.query(
        `UPDATE tenant_overrides SET version = $2, incident = $3, denied_tools = $4, killed_agents = $5, tool_modes = $6, updated_at = now()
         WHERE tenant_id = $1`,
        [tenant, next.version, JSON.stringify(next.incident), toJson(next.deniedTools), toJson(next.killedAgents), toJson(next.toolModes)],
      );
      const event = audit(next);
      await client.query('INSERT INTO audit_events (tenant_id, kind, action_id, at, data) VALUES ($1, $2, $3, $4, $5)', [
        event.tenant, event.kind, event.actionId ?? null, event.at, JSON.stringify(event.data),
      ]);
      const spec = end?.(next);
      const ended = spec ? await endCoveredPending(client, tenant, spec) : NOTHING_ENDED;
      return { overrides: next, ended };
    });
    this.invalidate(tenant);
    return result;
  }

  writeOwedAudit(): Promise<{ tenant: string; events: number }[]> {
    return payAuditDebts(this.pool);
  }
}
