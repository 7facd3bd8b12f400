import type { Pool } from 'pg';
import { actionIdRange } from '../../domain/action-id-prefix.js';
import type { TrailEvent } from '../../domain/action-story.js';
import type { ActionTrail } from '../../ports/action-trail.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The audit trail read by action, on the (tenant_id, action_id) index. */
export class PgActionTrail implements ActionTrail {
  constructor(private readonly pool: Pool) {}

  async idsStartingWith(tenant: string, prefix: string, limit: number): Promise<string[]> {
    const range = actionIdRange(prefix);
    if (!range) return [];
    // A range of the index, walked in order: DISTINCT stops after `limit` actions however many events each has.
    const { rows } = await this.pool.query<{ action_id: string }>(
      'SELECT DISTINCT action_id FROM audit_events WHERE tenant_id = $1 AND action_id BETWEEN $2 AND $3 ORDER BY action_id LIMIT $4',
      [tenant, range.from, range.to, limit],
    );
    return rows.map((r) => r.action_id);
  }

  async eventsOf(tenant: string, actionId: string): Promise<TrailEvent[]> {
    if (!UUID.test(actionId)) return [];
    const { rows } = await this.pool.query<{ id: string; kind: string; at: Date; data: Record<string, unknown> }>(
      'SELECT id::text AS id, kind, at, data FROM audit_events WHERE tenant_id = $1 AND action_id = $2 ORDER BY at, id',
      [tenant, actionId],
    );
    return rows;
  }
}
