import type { Pool, PoolClient } from 'pg';
import { canonicalJson, sha256Hex } from '../../domain/canonical-json.js';
import type { AuditEvent, AuditKind } from '../../domain/audit-event.js';
import type { AuditLog, ChainVerification, StoredAuditEvent } from '../../ports/audit-log.js';
import { withTransaction } from './transaction.js';

const BATCH = 1000;

interface EventRow {
  id: number;
  tenant_id: string;
  kind: AuditKind;
  action_id: string | null;
  at: Date;
  data: Record<string, unknown>;
  seq: number | null;
  prev_hash: string | null;
  hash: string | null;
}

const genesis = (tenant: string) => sha256Hex(`airlock-audit-genesis:${tenant}`);

/** The hash covers every content column, the position and the previous hash. */
const eventHash = (r: EventRow, seq: number, prevHash: string) =>
  sha256Hex(
    canonicalJson({
      id: String(r.id),
      tenant: r.tenant_id,
      kind: r.kind,
      action_id: r.action_id,
      at: r.at.toISOString(),
      data: r.data,
      seq,
      prev_hash: prevHash,
    }),
  );

const toStored = (r: EventRow): StoredAuditEvent => ({
  id: String(r.id),
  tenant: r.tenant_id,
  kind: r.kind,
  actionId: r.action_id ?? undefined,
  at: r.at,
  data: r.data,
  seq: r.seq ?? undefined,
  prevHash: r.prev_hash ?? undefined,
  hash: r.hash ?? undefined,
});

/**
 * Per-tenant hash chain over audit_events. Writers insert unsealed rows in
 * their own transactions; `seal` chains whatever has committed, in batches,
 * under a row lock on the tenant's chain head. Intake therefore never queues
 * behind a per-tenant lock, and the chain order is the order of sealing.
 */
export class PgAuditLog implements AuditLog {
  constructor(private readonly pool: Pool) {}

  async append(event: AuditEvent): Promise<void> {
    await this.pool.query('INSERT INTO audit_events (tenant_id, kind, action_id, at, data) VALUES ($1, $2, $3, $4, $5)', [
      event.tenant, event.kind, event.actionId ?? null, event.at, JSON.stringify(event.data),
    ]);
  }

  async seal(tenant: string): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.sealBatch(tenant);
      total += n;
      if (n < BATCH) return total;
    }
  }

  /** Tenants with events waiting to be sealed (uses the partial index). */
  async tenantsWithUnsealed(): Promise<string[]> {
    const { rows } = await this.pool.query<{ tenant_id: string }>('SELECT DISTINCT tenant_id FROM audit_events WHERE seq IS NULL');
    return rows.map((r) => r.tenant_id);
  }

  private sealBatch(tenant: string): Promise<number> {
    return withTransaction(this.pool, async (client) => {
      await client.query('INSERT INTO audit_chain_heads (tenant_id, seq, hash) VALUES ($1, 0, $2) ON CONFLICT DO NOTHING', [tenant, genesis(tenant)]);
      const head = (await client.query<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_chain_heads WHERE tenant_id = $1 FOR UPDATE', [tenant])).rows[0]!;
      const { rows } = await client.query<EventRow>(
        'SELECT id, tenant_id, kind, action_id, at, data FROM audit_events WHERE tenant_id = $1 AND seq IS NULL ORDER BY id LIMIT $2',
        [tenant, BATCH],
      );
      if (rows.length === 0) return 0;
      const ids: number[] = [], seqs: number[] = [], prevs: string[] = [], hashes: string[] = [];
      let { seq, hash } = head;
      for (const r of rows) {
        seq += 1;
        const h = eventHash(r, seq, hash);
        ids.push(r.id); seqs.push(seq); prevs.push(hash); hashes.push(h);
        hash = h;
      }
      await client.query(
        `UPDATE audit_events e SET seq = v.seq, prev_hash = v.prev, hash = v.hash
         FROM (SELECT unnest($1::bigint[]) AS id, unnest($2::bigint[]) AS seq, unnest($3::text[]) AS prev, unnest($4::text[]) AS hash) v
         WHERE e.id = v.id`,
        [ids, seqs, prevs, hashes],
      );
      await client.query('UPDATE audit_chain_heads SET seq = $2, hash = $3 WHERE tenant_id = $1', [tenant, seq, hash]);
      return rows.length;
    });
  }

  async verify(tenant: string): Promise<ChainVerification> {
    const problems: string[] = [];
    const client = await this.pool.connect();
    let checked = 0;
    try {
      // One snapshot for the whole walk, so concurrent sealing cannot look like tampering.
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const head = (await client.query<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_chain_heads WHERE tenant_id = $1', [tenant])).rows[0];
      let expectSeq = 1;
      let prev = genesis(tenant);
      for await (const r of this.walk(client, tenant)) {
        if (r.seq !== expectSeq) {
          problems.push(`event ${r.id}: expected seq ${expectSeq}, found ${r.seq} (events missing or reordered)`);
          expectSeq = r.seq!;
        }
        if (r.prev_hash !== prev) problems.push(`event ${r.id} (seq ${r.seq}): prev_hash does not match the previous event`);
        if (eventHash(r, r.seq!, r.prev_hash ?? '') !== r.hash) problems.push(`event ${r.id} (seq ${r.seq}): content does not match its hash (altered)`);
        prev = r.hash ?? '';
        expectSeq += 1;
        checked += 1;
      }
      const lastSeq = expectSeq - 1;
      if ((head?.seq ?? 0) !== lastSeq) problems.push(`chain head says seq ${head?.seq ?? 0} but the last event found has seq ${lastSeq} (events removed)`);
      else if (head && lastSeq > 0 && head.hash !== prev) problems.push('chain head hash does not match the last event');
      const unsealed = (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = $1 AND seq IS NULL', [tenant])).rows[0]!.n;
      await client.query('COMMIT');
      return { ok: problems.length === 0, checked, unsealed, problems };
    } finally {
      client.release();
    }
  }

  private async *walk(client: PoolClient, tenant: string): AsyncGenerator<EventRow> {
    let after = 0;
    for (;;) {
      const { rows } = await client.query<EventRow>(
        'SELECT * FROM audit_events WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
        [tenant, after, BATCH],
      );
      for (const r of rows) yield r;
      if (rows.length < BATCH) return;
      after = rows[rows.length - 1]!.seq!;
    }
  }

  async export(tenant: string, write: (event: StoredAuditEvent) => Promise<void> | void): Promise<number> {
    const client = await this.pool.connect();
    let n = 0;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      for await (const r of this.walk(client, tenant)) {
        await write(toStored(r));
        n += 1;
      }
      // Events not yet sealed follow the chain, in insertion order.
      const { rows } = await client.query<EventRow>('SELECT * FROM audit_events WHERE tenant_id = $1 AND seq IS NULL ORDER BY id', [tenant]);
      for (const r of rows) {
        await write(toStored(r));
        n += 1;
      }
      await client.query('COMMIT');
      return n;
    } finally {
      client.release();
    }
  }
}
