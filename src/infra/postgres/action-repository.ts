import { LRUCache } from 'lru-cache';
import type { Pool, PoolClient } from 'pg';
import { approverEmail, reviewerKey, type Action, type ActionResult } from '../../domain/action.js';
import type { ActionStatus } from '../../domain/action-status.js';
import { actionIdRange } from '../../domain/action-id-prefix.js';
import type { AuditEvent } from '../../domain/audit-event.js';
import type { ActionListQuery, ActionStore, EndChange, EscalateChange, NewActionRecord, RecordOutcome, ReviewInput, ReviewOutcome, TenantListQuery } from '../../ports/action-store.js';
import { ActionBatchWriter } from './action-batch-writer.js';
import { ACTION_SELECT, toAction, type ActionRow } from './action-row.js';
import { listActionsStatement, listTenantActionsStatement } from './list-actions-statement.js';
import { withTransaction } from './transaction.js';

const pendingKey = (tenant: string, group: string) => `${tenant}\u0000${group}`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * How long a reviewer group's pending count is reused. Counting scans up to
 * max_pending rows, and every queued request asks; reusing the count (plus
 * this process's own new pending actions) keeps that off the hot path. A slot
 * freed elsewhere is seen within this window; until then the count errs high,
 * towards falling back rather than over-filling the queue.
 */
const PENDING_COUNT_TTL_MS = 1_000;
/** A count older than the TTL but younger than this answers while a refresh runs in the background. */
const PENDING_COUNT_STALE_MS = 5_000;

export class PgActionStore implements ActionStore {
  private readonly writer: ActionBatchWriter;
  // One entry per reviewer group a request names; bounded all the same, least recently used evicted first.
  private readonly pendingCounts = new LRUCache<string, { n: number; at: number }>({ max: 10_000 });
  private readonly pendingRefreshes = new Map<string, Promise<number>>();

  constructor(private readonly pool: Pool) {
    this.writer = new ActionBatchWriter(pool);
  }

  /** Intake's write: the action and its audit event in one statement, group-committed with concurrent decisions. */
  async record(input: NewActionRecord): Promise<RecordOutcome> {
    const outcome = await this.writer.write(input);
    const { action } = input;
    if (outcome.kind === 'recorded' && action.status === 'pending' && action.reviewerGroup) {
      const cached = this.pendingCounts.get(pendingKey(action.tenant, action.reviewerGroup));
      if (cached) cached.n += 1;
    }
    return outcome;
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
    return rows[0] ? { action: toAction(rows[0]), requestHash: rows[0].request_hash ?? '' } : undefined;
  }

  async pendingCount(tenant: string, reviewerGroup: string, atMost: number) {
    const key = pendingKey(tenant, reviewerGroup);
    const cached = this.pendingCounts.get(key);
    const age = cached ? Date.now() - cached.at : Infinity;
    if (age < PENDING_COUNT_TTL_MS) return Math.min(cached!.n, atMost);
    // One count per group in flight, however many requests ask; while it runs,
    // a recent count answers, so no request waits on it but the first.
    const refresh = this.pendingRefreshes.get(key) ?? this.refreshPendingCount(key, tenant, reviewerGroup, atMost);
    if (age < PENDING_COUNT_STALE_MS) {
      refresh.catch(() => undefined);
      return Math.min(cached!.n, atMost);
    }
    return refresh;
  }

  private refreshPendingCount(key: string, tenant: string, reviewerGroup: string, atMost: number): Promise<number> {
    const at = Date.now();
    // Bounded: its cost must not grow past max_pending however long the backlog.
    const refresh = this.pool
      .query<{ n: number }>({
        name: 'airlock_pending_count',
        text: `SELECT count(*)::int AS n FROM (
                 SELECT 1 FROM actions WHERE tenant_id = $1 AND reviewer_group = $2 AND status = 'pending' LIMIT $3
               ) bounded`,
        values: [tenant, reviewerGroup, atMost],
      })
      .then(({ rows }) => {
        this.pendingCounts.set(key, { n: rows[0]!.n, at });
        return rows[0]!.n;
      })
      .finally(() => this.pendingRefreshes.delete(key));
    this.pendingRefreshes.set(key, refresh);
    return refresh;
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

  private async getWith(client: PoolClient | Pool, tenant: string, id: string): Promise<Action | undefined> {
    const { rows } = await client.query<ActionRow>(`${ACTION_SELECT} WHERE a.tenant_id = $1 AND a.id = $2`, [tenant, id]);
    return rows[0] ? toAction(rows[0]) : undefined;
  }

  private inTransaction<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    return withTransaction(this.pool, fn);
  }

  private insertAudit(c: PoolClient, e: AuditEvent) {
    return c.query('INSERT INTO audit_events (tenant_id, kind, action_id, at, data) VALUES ($1, $2, $3, $4, $5)', [
      e.tenant, e.kind, e.actionId ?? null, e.at, JSON.stringify(e.data),
    ]);
  }

  async applyReview(input: ReviewInput): Promise<ReviewOutcome> {
    if (!UUID.test(input.actionId)) return { kind: 'not_found' };
    const key = reviewerKey(input.reviewer);
    const email = approverEmail(input.reviewer);
    return this.inTransaction(async (c) => {
      // The WHERE clause is the whole decision: only a pending action in the round and
      // argument version the reviewer was shown changes, and only while the tenant's
      // overrides are at the version the review was judged against. The overrides row is
      // share-locked: an admin change in flight (which ends every approval it covers in
      // its own transaction) is waited for, then seen. A second concurrent click waits on
      // the action's row lock, then finds it changed.
      const guard = `tenant_id = $1 AND id = $2 AND status = 'pending'
        AND COALESCE((SELECT version FROM tenant_overrides WHERE tenant_id = $1 FOR KEY SHARE), 0) = $3`;
      const quorumReached = (approvals: string) => `cardinality(${approvals}) >= COALESCE(required_approvals, 1)`;
      let changed;
      if (input.decision === 'deny') {
        changed = await c.query(`UPDATE actions SET status = 'denied', decided_at = $4, mode = 'off' WHERE ${guard} RETURNING id`, [
          input.tenant, input.actionId, input.overridesVersion, input.at,
        ]);
      } else if (input.edit) {
        // A new version of the arguments: earlier approvals no longer count; the editor's does.
        changed = await c.query(
          `UPDATE actions SET
             approved_args = $7::jsonb, args_version = args_version + 1, args_sha256 = $8, args_edits = args_edits || $9::jsonb,
             consequence = COALESCE($12, consequence),
             approvals = ARRAY[$6],
             approval_emails = CASE WHEN $11::text IS NULL THEN '{}' ELSE ARRAY[$11] END,
             status = CASE WHEN ${quorumReached('ARRAY[$6]')} THEN 'approved' ELSE status END,
             decided_at = CASE WHEN ${quorumReached('ARRAY[$6]')} THEN $10 ELSE decided_at END
           WHERE ${guard} AND round = $4 AND args_version = $5
           RETURNING id`,
          [input.tenant, input.actionId, input.overridesVersion, input.round, input.argsVersion, key,
            JSON.stringify(input.edit.args), input.edit.argsSha256, JSON.stringify([input.edit.record]), input.at, email ?? null,
            input.edit.consequence ?? null],
        );
      } else {
        // Distinct people, not identities: the same person listed on two platforms is two
        // reviewer keys but one verified email. Both live on the row, so a concurrent click
        // from the other platform waits on the row lock and then sees this one.
        changed = await c.query(
          `UPDATE actions SET
             approvals = array_append(approvals, $6),
             approval_emails = CASE WHEN $8::text IS NULL THEN approval_emails ELSE array_append(approval_emails, $8) END,
             status = CASE WHEN ${quorumReached('array_append(approvals, $6)')} THEN 'approved' ELSE status END,
             decided_at = CASE WHEN ${quorumReached('array_append(approvals, $6)')} THEN $7 ELSE decided_at END
           WHERE ${guard} AND round = $4 AND args_version = $5 AND NOT ($6 = ANY(approvals))
             AND ($8::text IS NULL OR NOT ($8 = ANY(approval_emails)))
           RETURNING id`,
          [input.tenant, input.actionId, input.overridesVersion, input.round, input.argsVersion, key, input.at, email ?? null],
        );
      }
      if (changed.rowCount === 0) return this.whyUnchanged(c, input, key, email);
      const version = input.edit ? input.edit.record.version : input.argsVersion;
      await c.query(
        `INSERT INTO reviews (action_id, tenant_id, reviewer_key, reviewer, decision, reason, at, round, args_version, args_sha256)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT ON CONSTRAINT reviews_one_per_version DO NOTHING`,
        [input.actionId, input.tenant, key, JSON.stringify(input.reviewer), input.decision, input.reason ?? null, input.at, input.round, version, input.argsSha256],
      );
      const action = (await this.getWith(c, input.tenant, input.actionId))!;
      await this.insertAudit(c, input.audit(action));
      return { kind: action.status === 'pending' ? 'counted' : 'decided', action } as const;
    });
  }

  /** Which condition of the review's statement failed. */
  private async whyUnchanged(c: PoolClient, input: ReviewInput, key: string, email: string | undefined): Promise<ReviewOutcome> {
    const current = await this.getWith(c, input.tenant, input.actionId);
    if (!current) return { kind: 'not_found' };
    if (current.status !== 'pending') return { kind: 'not_pending', action: current };
    const { rows } = await c.query<{ v: number }>('SELECT COALESCE((SELECT version FROM tenant_overrides WHERE tenant_id = $1), 0)::float8 AS v', [input.tenant]);
    if (rows[0]!.v !== input.overridesVersion) return { kind: 'stale_overrides' };
    if (current.round !== input.round || current.argsVersion !== input.argsVersion) return { kind: 'args_changed', action: current };
    if (current.approvals.includes(key)) return { kind: 'already_reviewed', action: current };
    if (email && (await c.query('SELECT 1 FROM actions WHERE id = $1 AND $2 = ANY(approval_emails)', [input.actionId, email])).rowCount) {
      return { kind: 'already_reviewed', action: current };
    }
    return { kind: 'args_changed', action: current };
  }

  async endPending(tenant: string, id: string, round: number | 'any', change: EndChange, audit: (a: Action) => AuditEvent) {
    return this.inTransaction(async (c) => {
      const { rowCount } = await c.query(
        `UPDATE actions SET status = $4, decision = $5, mode = $6, outcome_detail = $7, decided_at = $8,
           rule = COALESCE($9, rule), policy_version = COALESCE($10, policy_version),
           reasons = CASE WHEN $9::text IS NULL THEN reasons ELSE reasons || jsonb_build_array($7::text) END
         WHERE tenant_id = $1 AND id = $2 AND status = 'pending' AND ($3::int IS NULL OR round = $3)`,
        [tenant, id, round === 'any' ? null : round, change.status, change.decision, change.mode, change.detail, change.at, change.rule ?? null, change.policyVersion ?? null],
      );
      if (!rowCount) return undefined;
      const action = (await this.getWith(c, tenant, id))!;
      await this.insertAudit(c, audit(action));
      return action;
    });
  }

  async escalate(tenant: string, id: string, fromRound: number, change: EscalateChange, audit: (a: Action) => AuditEvent) {
    return this.inTransaction(async (c) => {
      const { rowCount } = await c.query(
        // A fresh quorum: approvals given to the first group do not count for the escalation group.
        `UPDATE actions SET round = round + 1, escalated = true, reviewer_group = $4, expires_at = $5, remind_at = $6, outcome_detail = $7,
           approvals = '{}', approval_emails = '{}'
         WHERE tenant_id = $1 AND id = $2 AND status = 'pending' AND round = $3`,
        [tenant, id, fromRound, change.reviewerGroup, change.expiresAt, change.remindAt ?? null, change.detail],
      );
      if (!rowCount) return undefined;
      // The new round's cards: owed on every platform the escalation group names (none: no debt).
      await c.query(
        `WITH gone AS (DELETE FROM card_debts WHERE action_id = $1 AND cardinality($4::text[]) = 0)
         INSERT INTO card_debts (action_id, tenant_id, round, platforms, due_at)
         SELECT $1, $2, $3, $4, $5 WHERE cardinality($4::text[]) > 0
         ON CONFLICT (action_id) DO UPDATE SET round = EXCLUDED.round, platforms = EXCLUDED.platforms, due_at = EXCLUDED.due_at`,
        [id, tenant, fromRound + 1, change.cardPlatforms, change.cardsDueAt],
      );
      const action = (await this.getWith(c, tenant, id))!;
      await this.insertAudit(c, audit(action));
      return action;
    });
  }

  async markReminded(tenant: string, id: string, round: number, audit: AuditEvent) {
    const { rows } = await this.pool.query(
      `WITH u AS (
         UPDATE actions SET reminded_round = $3 WHERE tenant_id = $1 AND id = $2 AND status = 'pending' AND round = $3
         AND (reminded_round IS NULL OR reminded_round < $3)
         RETURNING id
       ), e AS (
         INSERT INTO audit_events (tenant_id, kind, action_id, at, data) SELECT $1, $4, u.id, $5, $6 FROM u
       )
       SELECT id FROM u`,
      [tenant, id, round, audit.kind, audit.at, JSON.stringify(audit.data)],
    );
    return rows.length === 1;
  }

  async cardsDue(now: Date, recheckMs: number, limit: number) {
    // Debts of actions that moved on (decided, or a newer round) are dropped as they come due.
    const { rows } = await this.pool.query<{ tenant_id: string; action_id: string; round: number; platforms: string[] }>(
      `WITH due AS (
         SELECT d.action_id, (a.status = 'pending' AND a.round = d.round) AS live
         FROM card_debts d JOIN actions a ON a.id = d.action_id
         WHERE d.due_at <= $1
         ORDER BY d.due_at LIMIT $3
         FOR UPDATE OF d SKIP LOCKED
       ), gone AS (
         DELETE FROM card_debts d USING due WHERE d.action_id = due.action_id AND NOT due.live
       )
       UPDATE card_debts d SET due_at = $1::timestamptz + make_interval(secs => $2 / 1000.0)
       FROM due WHERE d.action_id = due.action_id AND due.live
       RETURNING d.tenant_id, d.action_id, d.round, d.platforms`,
      [now, recheckMs, limit],
    );
    return rows.map((r) => ({ tenant: r.tenant_id, actionId: r.action_id, round: r.round, platforms: r.platforms }));
  }

  async cardsDueAgain(refs: { tenant: string; actionId: string }[], at: Date) {
    await this.pool.query(`UPDATE card_debts SET due_at = $2 WHERE action_id = ANY($1::uuid[])`, [refs.map((r) => r.actionId), at]);
  }

  async overdue(now: Date, limit: number) {
    const { rows } = await this.pool.query<{ tenant_id: string; id: string; round: number }>(
      `SELECT tenant_id, id, round FROM actions WHERE status = 'pending' AND expires_at <= $1 ORDER BY expires_at LIMIT $2`,
      [now, limit],
    );
    return rows.map((r) => ({ tenant: r.tenant_id, actionId: r.id, round: r.round }));
  }

  async dueReminders(now: Date, limit: number) {
    const { rows } = await this.pool.query<{ tenant_id: string; id: string; round: number }>(
      `SELECT tenant_id, id, round FROM actions
       WHERE status = 'pending' AND remind_at <= $1 AND (reminded_round IS NULL OR reminded_round < round)
       ORDER BY remind_at LIMIT $2`,
      [now, limit],
    );
    return rows.map((r) => ({ tenant: r.tenant_id, actionId: r.id, round: r.round }));
  }

  async callbackSettled(tenant: string, id: string, at: Date) {
    await this.pool.query('UPDATE actions SET callback_settled_at = $3 WHERE tenant_id = $1 AND id = $2 AND callback_settled_at IS NULL', [tenant, id, at]);
  }

  async unsettledCallbacks(now: Date, olderThanMs: number, limit: number) {
    const { rows } = await this.pool.query<{ tenant_id: string; id: string; status: string }>(
      `SELECT tenant_id, id, status FROM actions
       WHERE callback_url IS NOT NULL AND reviewer_group IS NOT NULL AND decided_at IS NOT NULL AND callback_settled_at IS NULL
         AND decided_at <= $1::timestamptz - make_interval(secs => $2 / 1000.0)
         AND decided_at > $1::timestamptz - interval '1 day'
       ORDER BY decided_at LIMIT $3`,
      [now, olderThanMs, limit],
    );
    return rows.map((r) => ({ tenant: r.tenant_id, actionId: r.id, status: r.status }));
  }

  async idsStartingWith(tenant: string, prefix: string, limit: number) {
    const range = actionIdRange(prefix);
    if (!range) return [];
    // A range of the primary key: found by the index however many actions the tenant has.
    const { rows } = await this.pool.query<{ id: string }>('SELECT id FROM actions WHERE id BETWEEN $1 AND $2 AND tenant_id = $3 ORDER BY id LIMIT $4', [range.from, range.to, tenant, limit]);
    return rows.map((r) => r.id);
  }

  async listOwn(query: ActionListQuery) {
    const { rows } = await this.pool.query<ActionRow & { position_at: string }>(listActionsStatement(query));
    return rows.map((r) => ({ action: toAction(r), position: { createdAt: r.position_at, id: r.id } }));
  }

  async listTenant(query: TenantListQuery) {
    const { rows } = await this.pool.query<ActionRow & { position_at: string }>(listTenantActionsStatement(query));
    return rows.map((r) => ({ action: toAction(r), position: { createdAt: r.position_at, id: r.id } }));
  }

  async pendingFor(tenant: string, groups: readonly string[], limit: number) {
    if (groups.length === 0) return { total: 0, actions: [] };
    // Both read the pending index (tenant, reviewer group, creation time).
    const [{ rows: counted }, { rows }] = await Promise.all([
      this.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM actions WHERE tenant_id = $1 AND status = 'pending' AND reviewer_group = ANY($2)`, [tenant, groups]),
      this.pool.query<ActionRow>(`${ACTION_SELECT} WHERE a.tenant_id = $1 AND a.status = 'pending' AND a.reviewer_group = ANY($2) ORDER BY a.created_at, a.id LIMIT $3`, [tenant, groups, Math.max(1, limit)]),
    ]);
    return { total: counted[0]!.n, actions: rows.map(toAction) };
  }

  async pendingSummary(tenant: string, limit: number) {
    // The count reads the pending index; the oldest come from each reviewer
    // group's end of that index (groups found by skipping through it), so
    // neither sorts the whole backlog.
    const [{ rows: agg }, { rows }] = await Promise.all([
      this.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM actions WHERE tenant_id = $1 AND status = 'pending'`, [tenant]),
      this.pool.query<{ id: string; tool: string; agent: string; created_at: Date; expires_at: Date | null; reviewer_group: string | null }>(
        `WITH RECURSIVE g AS (
           (SELECT reviewer_group FROM actions WHERE tenant_id = $1 AND status = 'pending' AND reviewer_group IS NOT NULL ORDER BY reviewer_group LIMIT 1)
           UNION ALL
           SELECT (SELECT a.reviewer_group FROM actions a WHERE a.tenant_id = $1 AND a.status = 'pending' AND a.reviewer_group > g.reviewer_group
                   ORDER BY a.reviewer_group LIMIT 1)
           FROM g WHERE g.reviewer_group IS NOT NULL
         )
         SELECT x.* FROM g CROSS JOIN LATERAL (
           SELECT id, tool, agent, created_at, expires_at, reviewer_group FROM actions a
           WHERE a.tenant_id = $1 AND a.status = 'pending' AND a.reviewer_group = g.reviewer_group
           ORDER BY a.created_at LIMIT $2
         ) x
         ORDER BY x.created_at LIMIT $2`,
        [tenant, Math.max(1, limit)],
      ),
    ]);
    return {
      count: agg[0]!.n,
      oldest: rows[0]?.created_at,
      items: rows.slice(0, limit).map((r) => ({ id: r.id, tool: r.tool, agent: r.agent, createdAt: r.created_at, expiresAt: r.expires_at ?? undefined, reviewerGroup: r.reviewer_group ?? undefined })),
    };
  }

}
