import type { Pool } from 'pg';
import type { ActionResult } from '../../domain/action.js';
import type { ActionStatus } from '../../domain/action-status.js';
import type { AuditEvent } from '../../domain/audit-event.js';
import type { ActionStore, NewActionRecord, RecordOutcome } from '../../ports/action-store.js';
import { ACTION_SELECT, toAction, type ActionRow } from './action-row.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Intake's write is one statement (no BEGIN/COMMIT round trips): the action
 * row and its audit event are inserted together by a data-modifying CTE, and
 * only when the tenant's overrides version is still the one the decision was
 * made with. A statement is atomic, so either both rows exist or neither.
 */
const RECORD_SQL = `
WITH ov AS (
  SELECT COALESCE((SELECT version FROM tenant_overrides WHERE tenant_id = $2), 0) AS v
), a AS (
  INSERT INTO actions (id, tenant_id, agent, tool, status, decision, mode, reasons, rule, hard_boundary, policy_version,
    args, args_sha256, summary, requester, workflow, environment, session_id, context, callback_url, target, risk, effects,
    consequence, reviewer_group, required_approvals, expires_at, created_at, decided_at, latency_ms, idempotency_key, request_hash)
  SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23,
    $24, $25, $26, $27, $28, $29, $30, $31, $32
  FROM ov WHERE ov.v = $33
  ON CONFLICT (tenant_id, agent, idempotency_key) DO NOTHING
  RETURNING id, tenant_id, created_at
), e AS (
  INSERT INTO audit_events (tenant_id, kind, action_id, at, data)
  SELECT a.tenant_id, $34, a.id, a.created_at, $35 FROM a
)
SELECT (SELECT v FROM ov) AS overrides_version, (SELECT count(*) FROM a)::int AS inserted`;

export class PgActionStore implements ActionStore {
  constructor(private readonly pool: Pool) {}

  async record(input: NewActionRecord): Promise<RecordOutcome> {
    const { action: a, audit } = input;
    // Named: Postgres parses and plans this CTE once per connection instead of per request.
    const { rows } = await this.pool.query<{ overrides_version: number; inserted: number }>({ name: 'airlock_record_action', text: RECORD_SQL, values: [
      a.id, a.tenant, a.agent, a.tool, a.status, a.decision, a.mode, JSON.stringify(a.reasons), a.rule, a.hardBoundary,
      a.policyVersion, JSON.stringify(a.args), a.argsSha256, a.summary ?? null, JSON.stringify(a.requester), a.workflow ?? null,
      a.environment, a.sessionId ?? null, JSON.stringify(a.context), a.callbackUrl ?? null, a.target ?? null, a.risk,
      JSON.stringify(a.effects), a.consequence ?? null, a.reviewerGroup ?? null, a.requiredApprovals ?? null, a.expiresAt ?? null,
      a.createdAt, a.decidedAt ?? null, a.latencyMs ?? null, input.idempotencyKey ?? null, input.requestHash,
      input.overridesVersion, audit.kind, JSON.stringify(audit.data),
    ] });
    const row = rows[0]!;
    if (row.inserted === 1) return { kind: 'recorded' };
    if (row.overrides_version !== input.overridesVersion) return { kind: 'stale_overrides' };
    return { kind: 'idempotency_key_taken' };
  }

  async get(tenant: string, id: string) {
    if (!UUID.test(id)) return undefined;
    const { rows } = await this.pool.query<ActionRow>(`${ACTION_SELECT} WHERE a.tenant_id = $1 AND a.id = $2`, [tenant, id]);
    return rows[0] ? toAction(rows[0]) : undefined;
  }

  async findByIdempotencyKey(tenant: string, agent: string, key: string) {
    const { rows } = await this.pool.query<ActionRow>(
      `${ACTION_SELECT} WHERE a.tenant_id = $1 AND a.agent = $2 AND a.idempotency_key = $3`,
      [tenant, agent, key],
    );
    return rows[0] ? { action: toAction(rows[0]), requestHash: rows[0].request_hash } : undefined;
  }

  async pendingCount(tenant: string, reviewerGroup: string) {
    const { rows } = await this.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM actions WHERE tenant_id = $1 AND reviewer_group = $2 AND status = 'pending'`,
      [tenant, reviewerGroup],
    );
    return rows[0]!.n;
  }

  async recordResult(tenant: string, id: string, result: ActionResult, allowedFrom: ActionStatus[], audit: AuditEvent) {
    if (!UUID.test(id)) return undefined;
    // Conditional update: the status check and the write are one statement, so two
    // concurrent reports cannot both succeed.
    const { rows } = await this.pool.query<{ id: string }>(
      `WITH u AS (
         UPDATE actions SET status = $3, result = $4
         WHERE tenant_id = $1 AND id = $2 AND result IS NULL AND status = ANY($5::text[])
         RETURNING id, tenant_id
       ), e AS (
         INSERT INTO audit_events (tenant_id, kind, action_id, at, data)
         SELECT u.tenant_id, $6, u.id, $7, $8 FROM u
       )
       SELECT id FROM u`,
      [tenant, id, result.outcome, JSON.stringify(result), allowedFrom, audit.kind, audit.at, JSON.stringify(audit.data)],
    );
    if (rows.length === 0) return undefined;
    return this.get(tenant, id);
  }
}
