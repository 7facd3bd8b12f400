import type { Pool } from 'pg';
import type { ApprovalGround } from '../../domain/policy-withdrawal.js';
import type { EndedActions } from '../../ports/overrides-store.js';
import type { WithdrawnApprovals, WithdrawnGround } from '../../ports/withdrawn-approvals.js';
import { WAKE_ONE_BY_ONE, endedTail } from './end-pending.js';
import { withTransaction } from './transaction.js';

const PENDING_GROUNDS_SQL = `
SELECT DISTINCT tenant_id, agent, tool, environment, reviewer_group FROM actions WHERE status = 'pending'`;

/**
 * Denies every pending approval of a tenant that stands on a withdrawn
 * ground, in one statement, like an admin change's end (end-pending.ts):
 * the waiters woken, the audit events owed in one debt row (every outcome is
 * `denied`), and how many ended with the newest of them and those owed a
 * callback. Each action matches at most one ground (they are distinct).
 */
const END_WITHDRAWN_SQL = `
WITH withdrawn AS MATERIALIZED (
  SELECT * FROM jsonb_to_recordset($2::jsonb) AS w(agent text, tool text, environment text, reviewer_group text, rule text, detail text)
), ended AS (
  UPDATE actions a SET status = 'denied', decision = 'deny', mode = 'off', rule = w.rule, outcome_detail = w.detail,
    reasons = a.reasons || jsonb_build_array(w.detail), decided_at = $3, policy_version = $4
  FROM withdrawn w
  WHERE a.tenant_id = $1 AND a.status = 'pending'
    AND a.agent = w.agent AND a.tool = w.tool AND a.environment = w.environment AND a.reviewer_group IS NOT DISTINCT FROM w.reviewer_group
  RETURNING a.id, a.status, a.created_at, a.callback_url IS NOT NULL AS has_callback
), owed AS (
  INSERT INTO audit_debts (tenant_id, at, action_ids, outcomes, admin, cause, reason)
  SELECT $1, $3, array_agg(e.id), '{"by_tool": {}, "otherwise": "denied"}'::jsonb, $5::json, $6, $7 FROM ended e HAVING count(*) > 0
), ${endedTail('$8', '$9')}`;

export class PgWithdrawnApprovals implements WithdrawnApprovals {
  constructor(private readonly pool: Pool) {}

  async pendingGrounds(): Promise<ApprovalGround[]> {
    const { rows } = await this.pool.query<{ tenant_id: string; agent: string; tool: string; environment: string; reviewer_group: string | null }>(PENDING_GROUNDS_SQL);
    return rows.map((r) => ({ tenant: r.tenant_id, agent: r.agent, tool: r.tool, environment: r.environment, ...(r.reviewer_group !== null ? { reviewerGroup: r.reviewer_group } : {}) }));
  }

  end(tenant: string, withdrawn: readonly WithdrawnGround[], spec: Parameters<WithdrawnApprovals['end']>[2]): Promise<EndedActions> {
    const grounds = withdrawn.map((w) => ({
      agent: w.ground.agent,
      tool: w.ground.tool,
      environment: w.ground.environment,
      reviewer_group: w.ground.reviewerGroup ?? null,
      rule: w.rule,
      detail: w.detail,
    }));
    return withTransaction(this.pool, async (client) => {
      // Transaction-local: the per-row status trigger stays silent (the statement notifies).
      await client.query("SELECT set_config('airlock.bulk_notify', 'on', true)");
      const { rows } = await client.query<{ total: number; id: string | null; status: 'denied' | null; has_callback: boolean | null; newest: boolean | null }>(END_WITHDRAWN_SQL, [
        tenant,
        JSON.stringify(grounds),
        spec.at,
        spec.policyVersion,
        JSON.stringify(spec.audit.admin),
        spec.audit.cause,
        spec.audit.reason,
        Math.max(1, spec.newest),
        WAKE_ONE_BY_ONE,
      ]);
      const listed = rows.filter((r) => r.id !== null).map((r) => ({ id: r.id!, status: r.status!, hasCallback: r.has_callback!, newest: r.newest! }));
      return {
        count: rows[0]?.total ?? 0,
        newest: listed.filter((r) => r.newest).map(({ newest: _, ...e }) => e),
        withCallback: listed.filter((r) => r.hasCallback).map(({ newest: _, ...e }) => e),
      };
    });
  }
}
