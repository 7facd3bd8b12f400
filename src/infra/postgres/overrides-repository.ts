import type { Pool } from 'pg';
import type { AuditEvent } from '../../domain/audit-event.js';
import { NO_OVERRIDES, type TenantOverrides } from '../../domain/policy-model.js';
import type { OverridesStore } from '../../ports/overrides-store.js';
import { withTransaction } from './transaction.js';

interface Row {
  version: number;
  incident: TenantOverrides['incident'];
  denied_tools: TenantOverrides['deniedTools'];
  killed_agents: TenantOverrides['killedAgents'];
  tool_modes: TenantOverrides['toolModes'];
}

const toOverrides = (r: Row | undefined): TenantOverrides =>
  r
    ? { version: r.version, incident: r.incident, deniedTools: r.denied_tools, killedAgents: r.killed_agents, toolModes: r.tool_modes }
    : NO_OVERRIDES;

/**
 * Caches each tenant's overrides in memory. The cache is invalidated by the
 * `airlock_overrides` NOTIFY (wired in main), and a stale entry is harmless:
 * ActionStore.record refuses a decision made with an old version, and the use
 * case invalidates and re-evaluates.
 */
export class PgOverridesStore implements OverridesStore {
  private readonly cache = new Map<string, Promise<TenantOverrides>>();

  constructor(private readonly pool: Pool) {}

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
    const { rows } = await this.pool.query<Row>(
      'SELECT version, incident, denied_tools, killed_agents, tool_modes FROM tenant_overrides WHERE tenant_id = $1',
      [tenant],
    );
    return toOverrides(rows[0]);
  }

  async update(tenant: string, change: (current: TenantOverrides) => TenantOverrides, audit: (next: TenantOverrides) => AuditEvent) {
    const next = await withTransaction(this.pool, async (client) => {
      // Row lock serialises concurrent admin changes of one tenant.
      await client.query('INSERT INTO tenant_overrides (tenant_id, version) VALUES ($1, 0) ON CONFLICT DO NOTHING', [tenant]);
      const { rows } = await client.query<Row>(
        'SELECT version, incident, denied_tools, killed_agents, tool_modes FROM tenant_overrides WHERE tenant_id = $1 FOR UPDATE',
        [tenant],
      );
      const updated = { ...change(toOverrides(rows[0])), version: rows[0]!.version + 1 };
      await client.query(
        `UPDATE tenant_overrides SET version = $2, incident = $3, denied_tools = $4, killed_agents = $5, tool_modes = $6, updated_at = now()
         WHERE tenant_id = $1`,
        [tenant, updated.version, JSON.stringify(updated.incident), JSON.stringify(updated.deniedTools), JSON.stringify(updated.killedAgents), JSON.stringify(updated.toolModes)],
      );
      const event = audit(updated);
      await client.query('INSERT INTO audit_events (tenant_id, kind, action_id, at, data) VALUES ($1, $2, $3, $4, $5)', [
        event.tenant, event.kind, event.actionId ?? null, event.at, JSON.stringify(event.data),
      ]);
      return updated;
    });
    this.invalidate(tenant);
    return next;
  }
}
