import type { PoolClient } from 'pg';
import type { EndedAction, EndedActions, PendingEndSpec } from '../../ports/overrides-store.js';

/**
 * Ends every pending approval an override change covers, in one statement:
 * each action's outcome (by tool, else the default), its audit event built
 * from its own row, the waiters woken, and how many ended with the newest of
 * them and those owed a callback (not all 100,000 when that many ended).
 * Runs inside the override change's transaction. The audit object has the
 * same keys as the domain's actionAuditFields (ACTION_AUDIT_KEYS; a test
 * compares them).
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
  RETURNING a.*
), events AS (
  -- json (the stored, hashed text), built in one pass; keys as actionAuditFields (ACTION_AUDIT_KEYS), then the admin's.
  INSERT INTO audit_events (tenant_id, kind, action_id, at, data)
  SELECT e.tenant_id, 'admin_change', e.id, $6,
    json_build_object(
      'request_id', e.id, 'tenant', e.tenant_id, 'environment', e.environment, 'workflow', e.workflow, 'agent', e.agent,
      'requester', e.requester, 'session', e.session_id, 'tool', e.tool, 'target', e.target, 'summary', e.summary, 'risk', e.risk,
      'reversibility', CASE WHEN e.effects ? 'irreversible' THEN 'irreversible' ELSE 'reversible' END, 'effects', e.effects,
      'hard_boundary', e.hard_boundary, 'policy_version', e.policy_version, 'rule', e.rule, 'decision', e.decision, 'mode', e.mode,
      'status', e.status, 'reasons', e.reasons, 'consequence', e.consequence, 'args_version', e.args_version, 'args_sha256', e.args_sha256,
      'final_decision', e.decision, 'reviewer', NULL, 'admin', $8::json, 'cause', $9::text, 'reason', $10::text
    )
  FROM ended e
), counted AS (
  SELECT count(*) AS total FROM ended
), woken AS (
  -- Waiters are told in this transaction (the row trigger stands down for it):
  -- each by id, or all at once with '*' when many ended.
  SELECT count(pg_notify('airlock_action', CASE WHEN c.total > $12 THEN '*' ELSE e.id::text END)) AS n
  FROM ended e CROSS JOIN counted c
), ranked AS (
  SELECT id, status, callback_url IS NOT NULL AS has_callback, row_number() OVER (ORDER BY created_at DESC) AS n FROM ended
)
SELECT c.total::int AS total, w.n AS woken, r.id, r.status, r.has_callback, r.n <= $11 AS newest
FROM counted c CROSS JOIN woken w LEFT JOIN ranked r ON r.n <= $11 OR r.has_callback`;

/** More ended actions than this wake every waiter at once instead of one by one. */
const WAKE_ONE_BY_ONE = 1000;

export async function endCoveredPending(client: PoolClient, tenant: string, spec: PendingEndSpec): Promise<EndedActions> {
  const rows = [
    { tool: null, ...spec.otherwise },
    ...[...spec.ends].map(([tool, end]) => ({ tool, ...end })),
  ];
  // Transaction-local: the per-row status trigger stays silent (the statement
  // notifies), and the ended rows stay in memory rather than spilling to disk
  // (100,000 of them are about 50 MB; the default work_mem is 4 MB).
  await client.query("SELECT set_config('airlock.bulk_notify', 'on', true), set_config('work_mem', '64MB', true)");
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
