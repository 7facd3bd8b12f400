import type { Pool, PoolClient } from 'pg';
import { sha256Hex } from '../../domain/canonical-json.js';
import type { AuditEvent, AuditKind } from '../../domain/audit-event.js';
import type { AuditLog, ChainVerification, StoredAuditEvent } from '../../ports/audit-log.js';
import { withTransaction } from './transaction.js';

/** Events per block, and blocks per page when reading the chain back. */
const BLOCK = 2000;
const PAGE = 50;

interface EventRow {
  id: number;
  tenant_id: string;
  kind: AuditKind;
  action_id: string | null;
  at: Date;
  data: Record<string, unknown>;
  seq: number | null;
  block: number | null;
  hash: string | null;
}

interface Head {
  block: number;
  seq: number;
  hash: string;
  sealed_xid: string;
  sealed_id: number;
}

/** bigint columns, as numbers whatever type parsers the process has installed. */
const HEAD_SELECT = 'SELECT block::float8, seq::float8, hash, sealed_xid::text AS sealed_xid, sealed_id::float8 FROM audit_chain_heads WHERE tenant_id = $1';

const genesis = (tenant: string) => sha256Hex(`airlock-audit-genesis:${tenant}`);

/**
 * One seal: the committed, unsealed events of the tenant (in (xid, id) order,
 * only those older than every running transaction) become the next block.
 * Runs after the head row is locked, so its snapshot sees every block sealed before.
 */
const SEAL_SQL = `
WITH ev AS (
  SELECT e.id, e.xid, airlock_audit_event_hash(e) AS h
  FROM audit_events e
  WHERE e.tenant_id = $1 AND (e.xid, e.id) > ($2::xid8, $3::bigint)
    AND e.xid < pg_snapshot_xmin(pg_current_snapshot())
  ORDER BY e.xid, e.id
  LIMIT $4
), agg AS (
  SELECT array_agg(id ORDER BY xid, id) AS ids, array_agg(h ORDER BY xid, id) AS hashes, array_agg(xid ORDER BY xid, id) AS xids
  FROM ev HAVING count(*) > 0
), b AS (
  INSERT INTO audit_blocks (tenant_id, block, first_seq, event_ids, event_hashes, prev_hash, hash)
  SELECT $1, $5, $6, ids, hashes, $7, airlock_audit_block_hash($1, $5, $6, $7, hashes) FROM agg
  RETURNING hash, cardinality(event_ids) AS n
), h AS (
  UPDATE audit_chain_heads SET block = $5, seq = $6 + b.n - 1, hash = b.hash,
    sealed_xid = agg.xids[cardinality(agg.xids)], sealed_id = agg.ids[cardinality(agg.ids)]
  FROM b, agg WHERE tenant_id = $1
)
SELECT n FROM b`;

/** A page of blocks, each with its events' hashes recomputed from their rows, and the ids no row answers for. */
const BLOCKS_SQL = `
SELECT b.block::float8, b.first_seq::float8, b.prev_hash, b.hash, cardinality(b.event_ids) AS n, b.event_ids::text[] AS event_ids,
  airlock_audit_block_hash(b.tenant_id, b.block, b.first_seq, b.prev_hash, b.event_hashes) AS block_hash,
  x.altered, x.missing
FROM audit_blocks b
CROSS JOIN LATERAL (
  SELECT
    COALESCE(array_agg(u.pos::int) FILTER (WHERE e.id IS NOT NULL AND airlock_audit_event_hash(e) <> u.h), '{}') AS altered,
    COALESCE(array_agg(u.pos::int) FILTER (WHERE e.id IS NULL), '{}') AS missing
  FROM unnest(b.event_ids, b.event_hashes) WITH ORDINALITY AS u(id, h, pos)
  LEFT JOIN audit_events e ON e.tenant_id = b.tenant_id AND e.id = u.id
) x
WHERE b.tenant_id = $1 AND b.block > $2
ORDER BY b.block
LIMIT $3`;

interface BlockRow {
  block: number;
  first_seq: number;
  prev_hash: string;
  hash: string;
  n: number;
  event_ids: string[];
  block_hash: string;
  altered: number[];
  missing: number[];
}

const toStored = (r: EventRow): StoredAuditEvent => ({
  id: String(r.id),
  tenant: r.tenant_id,
  kind: r.kind,
  actionId: r.action_id ?? undefined,
  at: r.at,
  data: r.data,
  seq: r.seq ?? undefined,
  block: r.block ?? undefined,
  hash: r.hash ?? undefined,
});

/**
 * Per-tenant hash chain over audit_events, in blocks. Writers insert events in
 * their own transactions and never wait for sealing; `seal` appends what has
 * committed as one block per batch, under a row lock on the tenant's chain head.
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
      const n = await this.sealBlock(tenant);
      total += n;
      if (n < BLOCK) return total;
    }
  }

  /** Tenants with events past their watermark (a skip scan over the sealing index, then one probe per tenant). */
  async tenantsWithUnsealed(): Promise<string[]> {
    const { rows } = await this.pool.query<{ tenant_id: string }>(`
      WITH RECURSIVE t AS (
        (SELECT tenant_id FROM audit_events ORDER BY tenant_id LIMIT 1)
        UNION ALL
        SELECT (SELECT e.tenant_id FROM audit_events e WHERE e.tenant_id > t.tenant_id ORDER BY e.tenant_id LIMIT 1)
        FROM t WHERE t.tenant_id IS NOT NULL
      )
      SELECT t.tenant_id FROM t LEFT JOIN audit_chain_heads h ON h.tenant_id = t.tenant_id
      WHERE t.tenant_id IS NOT NULL AND EXISTS (
        SELECT 1 FROM audit_events e WHERE e.tenant_id = t.tenant_id
          AND (e.xid, e.id) > (COALESCE(h.sealed_xid, '0'::xid8), COALESCE(h.sealed_id, 0)))`);
    return rows.map((r) => r.tenant_id);
  }

  private sealBlock(tenant: string): Promise<number> {
    return withTransaction(this.pool, async (client) => {
      const head = await this.lockHead(client, tenant);
      const { rows } = await client.query<{ n: number }>({
        name: 'airlock_audit_seal',
        text: SEAL_SQL,
        values: [tenant, head.sealed_xid, head.sealed_id, BLOCK, head.block + 1, head.seq + 1, head.hash],
      });
      return rows[0]?.n ?? 0;
    });
  }

  private async lockHead(client: PoolClient, tenant: string): Promise<Head> {
    const select = () =>
      client.query<Head>(`${HEAD_SELECT} FOR UPDATE`, [tenant]);
    const found = (await select()).rows[0];
    if (found) return found;
    await client.query(
      "INSERT INTO audit_chain_heads (tenant_id, block, seq, hash, sealed_xid, sealed_id) VALUES ($1, 0, 0, $2, '0', 0) ON CONFLICT DO NOTHING",
      [tenant, genesis(tenant)],
    );
    return (await select()).rows[0]!;
  }

  async verify(tenant: string): Promise<ChainVerification> {
    const problems: string[] = [];
    const client = await this.pool.connect();
    let checked = 0;
    try {
      // One snapshot for the whole walk, so concurrent sealing cannot look like tampering.
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const head = (await client.query<Head>(HEAD_SELECT, [tenant])).rows[0];
      let expectBlock = 1;
      let expectSeq = 1;
      let prev = genesis(tenant);
      for await (const b of this.blocks(client, tenant)) {
        if (b.block !== expectBlock) problems.push(`block ${expectBlock}${b.block > expectBlock + 1 ? `..${b.block - 1}` : ''} missing (blocks removed)`);
        if (b.first_seq !== expectSeq) problems.push(`block ${b.block}: starts at seq ${b.first_seq}, expected seq ${expectSeq} (events missing or reordered)`);
        if (b.prev_hash !== prev) problems.push(`block ${b.block}: prev_hash does not match the previous block`);
        if (b.block_hash !== b.hash) problems.push(`block ${b.block}: its list of events does not match its hash (altered)`);
        for (const pos of b.missing) problems.push(`event ${b.event_ids[pos - 1]} (seq ${b.first_seq + pos - 1}): missing (events removed)`);
        for (const pos of b.altered) problems.push(`event ${b.event_ids[pos - 1]} (seq ${b.first_seq + pos - 1}): content does not match its hash (altered)`);
        checked += b.n;
        prev = b.hash;
        expectBlock = b.block + 1;
        expectSeq = b.first_seq + b.n;
      }
      const lastBlock = expectBlock - 1;
      if ((head?.block ?? 0) !== lastBlock) {
        problems.push(`chain head says block ${head?.block ?? 0} (seq ${head?.seq ?? 0}) but the last block found is ${lastBlock} (events removed)`);
      } else if (head && lastBlock > 0 && (head.hash !== prev || head.seq !== expectSeq - 1)) {
        problems.push('chain head does not match the last block');
      }
      const unsealed = (await client.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = $1 AND (xid, id) > ($2::xid8, $3::bigint)",
        [tenant, head?.sealed_xid ?? '0', head?.sealed_id ?? 0],
      )).rows[0]!.n;
      await client.query('COMMIT');
      return { ok: problems.length === 0, checked, unsealed, problems };
    } finally {
      client.release();
    }
  }

  private async *blocks(client: PoolClient, tenant: string): AsyncGenerator<BlockRow> {
    let after = 0;
    for (;;) {
      const { rows } = await client.query<BlockRow>(BLOCKS_SQL, [tenant, after, PAGE]);
      for (const r of rows) yield r;
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1]!.block;
    }
  }

  async export(tenant: string, write: (event: StoredAuditEvent) => Promise<void> | void): Promise<number> {
    const client = await this.pool.connect();
    let n = 0;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      let after = 0;
      for (;;) {
        const next = (await client.query<{ block: number }>('SELECT block::float8 FROM audit_blocks WHERE tenant_id = $1 AND block > $2 ORDER BY block LIMIT 1', [tenant, after])).rows[0];
        if (!next) break;
        // Sealed events in chain order, one block at a time.
        const { rows } = await client.query<EventRow>(
          `SELECT e.id, e.tenant_id, e.kind, e.action_id, e.at, e.data, (b.first_seq + u.pos - 1)::float8 AS seq, b.block::float8, encode(u.h, 'hex') AS hash
           FROM audit_blocks b
           CROSS JOIN LATERAL unnest(b.event_ids, b.event_hashes) WITH ORDINALITY AS u(id, h, pos)
           JOIN audit_events e ON e.tenant_id = b.tenant_id AND e.id = u.id
           WHERE b.tenant_id = $1 AND b.block = $2
           ORDER BY u.pos`,
          [tenant, next.block],
        );
        for (const r of rows) {
          await write(toStored(r));
          n += 1;
        }
        after = next.block;
      }
      // Events not yet sealed follow the chain, in the order they will be sealed.
      const head = (await client.query<Head>(HEAD_SELECT, [tenant])).rows[0];
      const { rows } = await client.query<EventRow>(
        `SELECT id, tenant_id, kind, action_id, at, data, NULL AS seq, NULL AS block, NULL AS hash FROM audit_events
         WHERE tenant_id = $1 AND (xid, id) > ($2::xid8, $3::bigint) ORDER BY xid, id`,
        [tenant, head?.sealed_xid ?? '0', head?.sealed_id ?? 0],
      );
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
