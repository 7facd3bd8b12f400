import type { PoolClient } from 'pg';
import type { EndedAction, PendingEndSpec } from '../../ports/overrides-store.js';

/**
 * Ends every pending approval an override change covers, in one statement:
 * each action's outcome (by tool, else the default), its audit event built
 * from its own row, and the list of what ended. Runs inside the override
 * change's transaction. The audit object has the same keys as the domain's
 * actionAuditFields (ACTION_AUDIT_KEYS; a test compares them).
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
  INSERT INTO audit_events (tenant_id, kind, action_id, at, data)
  SELECT e.tenant_id, 'admin_change', e.id, $6,
    jsonb_build_object(
      'request_id', e.id, 'tenant', e.tenant_id, 'environment', e.environment, 'workflow', e.workflow, 'agent', e.agent,
      'requester', e.requester, 'session', e.session_id, 'tool', e.tool, 'target', e.target, 'summary', e.summary, 'risk', e.risk,
      'reversibility', CASE WHEN e.effects ? 'irreversible' THEN 'irreversible' ELSE 'reversible' END, 'effects', e.effects,
      'hard_boundary', e.hard_boundary, 'policy_version', e.policy_version, 'rule', e.rule, 'decision', e.decision, 'mode', e.mode,
      'status', e.status, 'reasons', e.reasons, 'consequence', e.consequence, 'args_version', e.args_version, 'args_sha256', e.args_sha256
    ) || jsonb_build_object('final_decision', e.decision, 'reviewer', NULL) || $8::jsonb
  FROM ended e
  ORDER BY e.created_at
)
SELECT id, status, callback_url IS NOT NULL AS has_callback FROM ended ORDER BY created_at DESC`;

export async function endCoveredPending(client: PoolClient, tenant: string, spec: PendingEndSpec): Promise<EndedAction[]> {
  const rows = [
    { tool: null, ...spec.otherwise },
    ...[...spec.ends].map(([tool, end]) => ({ tool, ...end })),
  ];
  const { rows: ended } = await client.query<{ id: string; status: EndedAction['status']; has_callback: boolean }>(END_PENDING_SQL, [
    tenant,
    spec.match.agent ?? null,
    spec.match.tool ?? null,
    spec.match.nonLowRisk ?? false,
    JSON.stringify(rows),
    spec.at,
    spec.policyVersion,
    JSON.stringify(spec.audit),
  ]);
  return ended.map((r) => ({ id: r.id, status: r.status, hasCallback: r.has_callback }));
}
