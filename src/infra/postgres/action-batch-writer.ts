import type { Pool } from 'pg';
import { AirlockError } from '../../domain/errors.js';
import { shadowFields } from '../../domain/shadow.js';
import type { NewActionRecord, RecordOutcome } from '../../ports/action-store.js';
import { GroupCommit, ItemFailed } from '../group-commit.js';
import { isDatabaseUnavailable } from './pool.js';

/**
 * Group commit for intake. Each decision still waits for its own durable
 * commit, but decisions that arrive while earlier writes are in flight are
 * written together: one statement (and one commit, one WAL flush, one round
 * trip) for the whole batch. At low load every batch holds one decision, so
 * nothing waits on a timer.
 *
 * The statement inserts each action (its state and, apart, its immutable
 * payload with the overrides version it was decided under, and the cards it owes) and its audit event together, and only
 * where the tenant's overrides version is still the one the decision was made
 * with and the agent key the request authenticated with is still usable (a
 * process's cache of keys may not have heard of a revocation yet); a statement
 * is atomic, so either both rows of a decision exist or neither.
 * The overrides rows are share-locked: an admin change in flight ends every
 * pending approval it covers in its own transaction, so a new approval must
 * not slip in beside it. The statement waits for such a change, then sees
 * its version and retries the decision. (Every declared tenant has an
 * overrides row, created at start-up, so there is always a row to lock.)
 *
 * The batch is read as json, not jsonb: the audit event's data arrives as the
 * very text it is stored as (a json column, hashed as stored), so Postgres
 * neither builds it as jsonb nor renders it back to text (about a quarter of
 * the statement's time for 1 KB of args).
 */
const RECORD_BATCH_SQL = `
WITH r AS (
  -- A decision's place in the batch is its position in the array (ordinality counts from 1).
  SELECT x.*, (x.ordinality - 1)::int AS ord FROM ROWS FROM (json_to_recordset($1::json) AS (
    id uuid, tenant_id text, agent text, tool text, status text, decision text, mode text, reasons jsonb,
    rule text, hard_boundary text, policy_version text, args jsonb, args_sha256 text, submitted_args_digest text,
    args_version int, args_edits jsonb, redact jsonb, card_platforms text[], cards_due_at timestamptz, summary text, requester jsonb,
    workflow text, environment text, session_id text, context jsonb, callback_url text, target text, risk text,
    effects jsonb, consequence text, reviewer_group text, required_approvals int, expires_at timestamptz,
    created_at timestamptz, decided_at timestamptz, latency_ms real, idempotency_key text, request_hash text,
    remind_at timestamptz, overrides_version bigint, agent_key_id uuid, shadow jsonb, traceparent text, tracestate text, audit_kind text, audit_data json)) WITH ORDINALITY AS x
), locked AS (
  SELECT tenant_id, version FROM tenant_overrides WHERE tenant_id IN (SELECT DISTINCT tenant_id FROM r) FOR KEY SHARE
), ov AS (
  SELECT r.id, COALESCE(l.version, 0) AS v,
    -- The request's key, as it is now: a revocation committed before this statement is never outrun by a process's key cache.
    (r.agent_key_id IS NULL OR EXISTS (SELECT 1 FROM agent_keys k WHERE k.id = r.agent_key_id AND k.revoked_at IS NULL
      AND (k.expires_at IS NULL OR k.expires_at > r.created_at))) AS key_ok
  FROM r LEFT JOIN locked l ON l.tenant_id = r.tenant_id
), a AS (
  INSERT INTO actions (id, tenant_id, agent, tool, status, decision, mode, reasons, rule, hard_boundary, policy_version,
    args_sha256, submitted_args_digest, args_version, args_edits, redact, summary, requester, workflow, environment, session_id, callback_url, target, risk, effects,
    consequence, reviewer_group, required_approvals, expires_at, created_at, decided_at, latency_ms, idempotency_key,
    request_hash, remind_at)
  SELECT r.id, r.tenant_id, r.agent, r.tool, r.status, r.decision, r.mode, r.reasons, r.rule, r.hard_boundary,
    r.policy_version, r.args_sha256, r.submitted_args_digest, r.args_version, r.args_edits, r.redact, r.summary, r.requester, r.workflow, r.environment, r.session_id,
    r.callback_url, r.target, r.risk, r.effects, r.consequence, r.reviewer_group, r.required_approvals, r.expires_at,
    r.created_at, r.decided_at, r.latency_ms, r.idempotency_key, r.request_hash, r.remind_at
  FROM r JOIN ov ON ov.id = r.id WHERE ov.v = r.overrides_version AND ov.key_ok
  ORDER BY r.ord
  ON CONFLICT (tenant_id, agent, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
  RETURNING id, tenant_id, round, created_at
), d AS (
  INSERT INTO card_debts (action_id, tenant_id, round, platforms, due_at)
  SELECT a.id, a.tenant_id, a.round, r.card_platforms, r.cards_due_at FROM a JOIN r ON r.id = a.id
  WHERE cardinality(r.card_platforms) > 0
), p AS (
  INSERT INTO action_payloads (action_id, args, context, overrides_version, shadow, traceparent, tracestate)
  SELECT a.id, r.args, r.context, r.overrides_version, r.shadow, r.traceparent, r.tracestate FROM a JOIN r ON r.id = a.id
), e AS (
  INSERT INTO audit_events (tenant_id, kind, action_id, at, data)
  SELECT a.tenant_id, r.audit_kind, a.id, a.created_at, r.audit_data
  FROM a JOIN r ON r.id = a.id
  ORDER BY r.ord
)
SELECT r.ord, ov.v AS overrides_version, ov.key_ok, (a.id IS NOT NULL) AS inserted
FROM r JOIN ov ON ov.id = r.id LEFT JOIN a ON a.id = r.id`;

/**
 * Text Postgres cannot store: JSON.stringify writes NUL as \\u0000 and a lone
 * UTF-16 surrogate as \\udXXX (paired ones stay literal); an escaped backslash
 * before it (an even run of backslashes) means it is plain text, not an escape.
 */
const UNSTORABLE = /(?<!\\)(?:\\\\)*\\u(?:0000|d[89a-f])/i;

const OPEN = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']');

interface Pending {
  /** The decision's JSON object, as UTF-8. */
  json: Buffer;
  overridesVersion: number;
}

export interface BatchWriterOptions {
  /**
   * Batches in flight at once (each holds one pool connection). One measures
   * best on 2 cores now that a batch is cheap for Postgres (diag at 32
   * connections, alternating: 2,990–3,330 decisions/s with one, 2,590–2,790
   * with two): the next batch fills while one commits, and is larger, so
   * fewer commits and wake-ups share the two cores with the server.
   */
  maxInFlight?: number;
  maxBatch?: number;
}

export class ActionBatchWriter {
  private readonly batches: GroupCommit<Pending, RecordOutcome>;

  constructor(private readonly pool: Pool, opts: BatchWriterOptions = {}) {
    this.batches = new GroupCommit((batch) => this.run(batch), { maxInFlight: opts.maxInFlight ?? 1, maxBatch: opts.maxBatch ?? 256 });
  }

  write(input: NewActionRecord): Promise<RecordOutcome> {
    const { args, auditData, row } = rowParts(input);
    // Each part is checked as it is: the decision's text is never copied whole before the batch is.
    if (UNSTORABLE.test(row) || UNSTORABLE.test(auditData) || (args !== undefined && UNSTORABLE.test(args))) {
      return Promise.reject(
        new AirlockError('validation_failed', 'the request contains a NUL character or an unpaired UTF-16 surrogate, which cannot be stored'),
      );
    }
    const json = Buffer.from(`{${args === undefined ? '' : `"args":${args},`}"audit_data":${auditData},${row.slice(1)}`);
    return this.batches.submit({ json, overridesVersion: input.overridesVersion });
  }

  private async run(batch: Pending[]): Promise<(RecordOutcome | ItemFailed)[]> {
    try {
      return await this.execute(batch);
    } catch (err) {
      if (batch.length === 1 || isDatabaseUnavailable(err)) throw err;
      // Something in one decision broke the statement: write each alone, so only that one fails.
      const alone = await Promise.allSettled(batch.map((p) => this.execute([p])));
      return alone.map((r) => (r.status === 'fulfilled' ? r.value[0]! : new ItemFailed(r.reason)));
    }
  }

  private async execute(batch: Pending[]): Promise<RecordOutcome[]> {
    // The batch goes as bytes (a json parameter's binary form is its text):
    // one string of every decision would be a large object for the JS heap,
    // copied again to be measured and encoded.
    const parts: Buffer[] = [OPEN];
    for (const [i, p] of batch.entries()) {
      if (i > 0) parts.push(COMMA);
      parts.push(p.json);
    }
    parts.push(CLOSE);
    // Named: Postgres parses and plans the statement once per connection.
    const { rows: results } = await this.pool.query<{ ord: number; overrides_version: number; key_ok: boolean; inserted: boolean }>({
      name: 'airlock_record_actions',
      text: RECORD_BATCH_SQL,
      values: [Buffer.concat(parts)],
    });
    const outcomes: RecordOutcome[] = new Array(batch.length);
    for (const r of results) {
      const p = batch[r.ord]!;
      outcomes[r.ord] = r.inserted
        ? { kind: 'recorded' }
        : !r.key_ok
          ? { kind: 'key_revoked' }
          : r.overrides_version !== p.overridesVersion
          ? { kind: 'stale_overrides' }
          : { kind: 'idempotency_key_taken' };
    }
    return outcomes;
  }
}

/**
 * One decision as the parts of a JSON object whose keys are the statement's
 * record columns: the args' text when the caller has it, the audit event's
 * data as stored, and the other columns.
 */
function rowParts({ action: a, audit, idempotencyKey, requestHash, overridesVersion, cardsDueAt, argsJson, agentKeyId }: NewActionRecord): { args?: string; auditData: string; row: string } {
  const row = JSON.stringify({
    id: a.id,
    tenant_id: a.tenant,
    agent: a.agent,
    tool: a.tool,
    status: a.status,
    decision: a.decision,
    mode: a.mode,
    reasons: a.reasons,
    rule: a.rule,
    hard_boundary: a.hardBoundary,
    policy_version: a.policyVersion,
    // Given as text: joined to the row by write() instead (JSON.stringify leaves an undefined member out).
    args: argsJson === undefined ? a.args : undefined,
    args_sha256: a.argsSha256,
    submitted_args_digest: a.submittedArgsDigest,
    args_version: a.argsVersion,
    args_edits: a.argsEdits,
    redact: a.redact,
    card_platforms: a.cardPlatforms,
    cards_due_at: cardsDueAt ?? null,
    summary: a.summary ?? null,
    requester: a.requester,
    workflow: a.workflow ?? null,
    environment: a.environment,
    session_id: a.sessionId ?? null,
    context: a.context,
    callback_url: a.callbackUrl ?? null,
    target: a.target ?? null,
    risk: a.risk,
    effects: a.effects,
    consequence: a.consequence ?? null,
    reviewer_group: a.reviewerGroup ?? null,
    required_approvals: a.requiredApprovals ?? null,
    expires_at: a.expiresAt ?? null,
    created_at: a.createdAt,
    decided_at: a.decidedAt ?? null,
    latency_ms: a.latencyMs ?? null,
    idempotency_key: idempotencyKey ?? null,
    request_hash: requestHash ?? null,
    remind_at: a.remindAt ?? null,
    overrides_version: overridesVersion,
    agent_key_id: agentKeyId ?? null,
    shadow: a.shadow ? { ...shadowFields(a.shadow), live: { decision: a.decision, mode: a.mode } } : null,
    traceparent: a.traceparent ?? null,
    tracestate: a.tracestate ?? null,
    audit_kind: audit.kind,
  });
  return { args: argsJson, auditData: auditDataJson(audit.data, a.args, argsJson), row };
}

/**
 * The event's data as stored. A decision's event carries the action's args:
 * their text is the one already made for the digests, not serialized again.
 */
function auditDataJson(data: Record<string, unknown>, args: unknown, argsJson: string | undefined): string {
  if (argsJson === undefined || data.args !== args) return JSON.stringify(data);
  const { args: _args, ...rest } = data;
  const text = JSON.stringify(rest);
  return text === '{}' ? `{"args":${argsJson}}` : `${text.slice(0, -1)},"args":${argsJson}}`;
}
