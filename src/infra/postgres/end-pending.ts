import type { Pool, PoolClient } from 'pg';
import type { EndedAction, EndedActions, PendingEndSpec } from '../../ports/overrides-store.js';
import { withTransaction } from './transaction.js';

/**
 * What every set-based ending of pending approvals returns, after its
 * `ended` CTE (id, status, created_at, has_callback): how many ended, the
 * waiters woken in the same transaction, and the newest few with every one
 * owed a callback. `newest` and `wakeEachUpTo` name the statement's
 * parameters for the list's length and the count above which all waiters
 * are woken at once.
 */
export const endedTail = (newest: string, wakeEachUpTo: string) => `counted AS (
  SELECT count(*) AS total FROM ended
), woken AS (
  -- Waiters are told in this transaction (the row trigger stands down for it):
  -- each by id, or all at once with one '*' when many ended.
  SELECT count(pg_notify('airlock_action', e.id::text)) AS n FROM ended e WHERE (SELECT total FROM counted) <= ${wakeEachUpTo}
  UNION ALL
  SELECT count(pg_notify('airlock_action', '*')) FROM counted WHERE total > ${wakeEachUpTo}
), listed AS (
  -- The newest few (a top-N, not a sort of every ended row), and every one owed a callback.
  SELECT id, status, has_callback, bool_or(newest) AS newest FROM (
    (SELECT id, status, has_callback, true AS newest FROM ended ORDER BY created_at DESC LIMIT ${newest})
    UNION ALL
    SELECT id, status, has_callback, false FROM ended WHERE has_callback
  ) l GROUP BY id, status, has_callback
)
SELECT c.total::int AS total, (SELECT sum(n) FROM woken) AS woken, l.id, l.status, l.has_callback, l.newest
FROM counted c LEFT JOIN listed l ON true`;

/**
 * Ends every pending approval an override change covers, in one statement:
 * each action's outcome (by tool, else the default), the waiters woken, the
 * audit events owed (one debt row naming the ended actions, paid right after
 * the change commits by writeOwedAudit), and how many ended with the newest
 * of them and those owed a callback (not all 100,000 when that many ended).
 * Runs inside the override change's transaction.
 */
const END_PENDING_SQL = `
WITH spec AS MATERIALIZED (
  SELECT * FROM jsonb_to_recordset($5::jsonb) AS s(tool text, status text, decision text, mode text, rule text, detail text)
), ended AS (
  -- One pass over the covered rows, each outcome looked up in the (tiny) spec:
  -- no join of actions with itself, whose plan would depend on fresh statistics.
  UPDATE actions a SET (status, decision, mode, rule, outcome_detail, reasons) = (
      SELECT COALESCE(t.status, d.status), COALESCE(t.decision, d.decision), COALESCE(t.mode, d.mode),
             COALESCE(t.rule, d.rule), COALESCE(t.detail, d.detail), a.reasons || jsonb_build_array(COALESCE(t.detail, d.detail))
      FROM spec d LEFT JOIN spec t ON t.tool = a.tool
      WHERE d.tool IS NULL
    ),
    decided_at = $6, policy_version = $7
  WHERE a.tenant_id = $1 AND a.status = 'pending'
    AND ($2::text IS NULL OR a.agent = $2) AND ($3::text IS NULL OR a.tool = $3) AND (NOT $4 OR a.risk <> 'low')
  RETURNING a.id, a.status, a.created_at, a.callback_url IS NOT NULL AS has_callback
), owed AS (
  INSERT INTO audit_debts (tenant_id, at, action_ids, outcomes, admin, cause, reason)
  SELECT $1, $6, array_agg(e.id), $13::jsonb, $8::json, $9, $10 FROM ended e HAVING count(*) > 0
), ${endedTail('$11', '$12')}`;

/**
 * Pays the oldest audit debt no other transaction is paying: one event per
 * ended action, built from its row (the status is the one the change gave
 * it: a result reported since may have moved it on), and deletes the debt in
 * the same statement, so each event is written exactly once. The data object
 * has the same keys, in the same order, as the domain's actionAuditFields
 * (ACTION_AUDIT_KEYS; test/integration/slack-admin.test.ts compares them),
 * then the admin's.
 */
const PAY_DEBT_SQL = `
WITH d AS (
  DELETE FROM audit_debts WHERE id = (SELECT id FROM audit_debts ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
  RETURNING *
), events AS (
  INSERT INTO audit_events (tenant_id, kind, action_id, at, data)
  SELECT d.tenant_id, 'admin_change', a.id, d.at, (SELECT row_to_json(e) FROM (SELECT
      a.id AS request_id, a.tenant_id AS tenant, a.environment, a.workflow, a.agent, a.requester, a.session_id AS session, a.tool, a.target,
      a.summary, a.risk, CASE WHEN a.effects ? 'irreversible' THEN 'irreversible' ELSE 'reversible' END AS reversibility, a.effects,
      a.hard_boundary, a.policy_version, a.rule, a.decision, a.mode,
      COALESCE(d.outcomes->'by_tool'->>a.tool, d.outcomes->>'otherwise') AS status, a.reasons, a.consequence, a.args_version, a.args_sha256,
      a.decision AS final_decision, NULL::json AS reviewer, d.admin, d.cause, d.reason) e)
  -- In the debt's order, as the loop over its ids meets them: no sort of 100 MB of events.
  FROM d CROSS JOIN LATERAL unnest(d.action_ids) AS u(id)
  JOIN actions a ON a.id = u.id AND a.tenant_id = d.tenant_id
)
SELECT tenant_id AS tenant, cardinality(action_ids) AS events FROM d`;

/** More ended actions than this wake every waiter at once instead of one by one. */
export const WAKE_ONE_BY_ONE = 1000;

export async function endCoveredPending(client: PoolClient, tenant: string, spec: PendingEndSpec): Promise<EndedActions> {
  const rows = [
    { tool: null, ...spec.otherwise },
    ...[...spec.ends].map(([tool, end]) => ({ tool, ...end })),
  ];
  // Transaction-local: the per-row status trigger stays silent (the statement notifies).
  await client.query("SELECT set_config('airlock.bulk_notify', 'on', true)");
  const { rows: result } = await client.query<{ total: number; id: string | null; status: EndedAction['status'] | null; has_callback: boolean | null; newest: boolean | null }>(
    END_PENDING_SQL,
    [
      tenant,
      spec.match.agent ?? null,
      spec.match.tool ?? null,
      spec.match.nonLowRisk ?? false,
      JSON.stringify(rows),
      spec.at,
      spec.policyVersion,
      JSON.stringify(spec.audit.admin),
      spec.audit.cause,
      spec.audit.reason,
      Math.max(1, spec.newest),
      WAKE_ONE_BY_ONE,
      JSON.stringify({ by_tool: Object.fromEntries([...spec.ends].map(([tool, end]) => [tool, end.status])), otherwise: spec.otherwise.status }),
    ],
  );
  await client.query("SELECT set_config('airlock.bulk_notify', 'off', true)");
  const listed = result.filter((r) => r.id !== null).map((r) => ({ id: r.id!, status: r.status!, hasCallback: r.has_callback!, newest: r.newest! }));
  return {
    count: result[0]?.total ?? 0,
    newest: listed.filter((r) => r.newest).map(({ newest: _, ...e }) => e),
    withCallback: listed.filter((r) => r.hasCallback).map(({ newest: _, ...e }) => e),
  };
}

/**
 * Writes the audit events every recorded debt owes, one debt per transaction;
 * returns the tenants whose events were written (theirs to seal). Debts
 * another process is paying are skipped, not waited for.
 */
export async function payAuditDebts(pool: Pool): Promise<{ tenant: string; events: number }[]> {
  const paid: { tenant: string; events: number }[] = [];
  // The reconciler asks every second: when nothing is owed, one read and no transaction.
  if (!(await pool.query<{ owed: boolean }>('SELECT EXISTS (SELECT 1 FROM audit_debts) AS owed')).rows[0]!.owed) return paid;
  for (;;) {
    const debt = await withTransaction(pool, async (client) => {
      // One debt's events are about 1 KB each: keep 100,000 of them in memory while they are written.
      await client.query("SELECT set_config('work_mem', '64MB', true)");
      return (await client.query<{ tenant: string; events: number }>(PAY_DEBT_SQL)).rows[0];
    });
    if (!debt) return paid;
    paid.push(debt);
  }
}
