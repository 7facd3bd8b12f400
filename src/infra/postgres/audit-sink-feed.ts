import type { Pool, PoolClient } from 'pg';
import type { AuditFeed, AuditFeedBatch, AuditFeedLease } from '../../ports/audit-sink.js';
import { integer } from './audit-chain-rows.js';

/** First key of the (int, int) advisory locks on tenants being shipped ("Airs"); the second is the tenant's hash. */
const SHIP_LOCK = 0x41697273;

/**
 * The next sealed events past the read position (`$3`, in block `$2`), at most `$4`:
 * only the blocks that can hold them (block numbers are consecutive, and a
 * block holds at least one event), each sliced to the wanted positions. The
 * events are looked up one by one by primary key (the lateral subquery is
 * kept from being flattened, so the planner cannot turn it into a scan of
 * every tenant's events when statistics are missing).
 */
const NEXT_SQL = `
SELECT s.seq::float8 AS seq, s.block::float8 AS block, e.id, e.kind, e.action_id, e.at, e.data, encode(s.h, 'hex') AS hash
FROM (
  SELECT b.block, b.first_seq + r.lo - 2 + x.o AS seq, x.id, x.h
  FROM audit_blocks b
  CROSS JOIN LATERAL (SELECT greatest(1, $3 - b.first_seq + 2)::int AS lo, ($3 + $4 - b.first_seq + 1)::int AS hi) r
  CROSS JOIN LATERAL unnest(b.event_ids[r.lo:r.hi], b.event_hashes[r.lo:r.hi]) WITH ORDINALITY AS x(id, h, o)
  WHERE b.tenant_id = $1 AND b.block BETWEEN $2 AND $2 + $4 AND b.first_seq <= $3 + $4
) s
LEFT JOIN LATERAL (
  SELECT e.id::text AS id, e.kind, e.action_id::text AS action_id,
    to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at, e.data::text AS data
  FROM audit_events e WHERE e.id = s.id AND e.tenant_id = $1 OFFSET 0
) e ON true
WHERE s.seq > $3
ORDER BY s.seq
LIMIT $4`;

interface Row {
  seq: number;
  block: number;
  id: string | null;
  kind: string;
  action_id: string | null;
  at: string;
  data: string;
  hash: string;
}

const LINE_BREAKS = /[\r\n]/g;

/**
 * One event exactly as `audit export` prints it: `data` is the stored json
 * text (a line break, possible only between its tokens, becomes a space) and
 * `at` has its microseconds, the content the chain's hash covers.
 */
function eventJson(tenantJson: string, r: Row): string {
  return (
    `{"id":"${r.id}","seq":${r.seq},"tenant":${tenantJson},"kind":${JSON.stringify(r.kind)},` +
    `"action_id":${r.action_id === null ? 'null' : `"${r.action_id}"`},"at":"${r.at}","data":${r.data.replace(LINE_BREAKS, ' ')},"block":${r.block},"hash":"${r.hash}"}`
  );
}

/**
 * The audit sink's view of the chain: the cursor per tenant in
 * `audit_sink_cursors`, and a session advisory lock per tenant being shipped,
 * held on the lease's own connection. No transaction stays open while a batch
 * is on its way (an open transaction would hold sealing back, which only
 * seals events older than every running transaction); a process that dies
 * drops its connection and with it the lock.
 */
export class PgAuditFeed implements AuditFeed {
  constructor(private readonly pool: Pool) {}

  async tenantsBehind(): Promise<string[]> {
    const { rows } = await this.pool.query<{ tenant_id: string }>(
      `SELECT h.tenant_id FROM audit_chain_heads h LEFT JOIN audit_sink_cursors c ON c.tenant_id = h.tenant_id
       WHERE h.seq > COALESCE(c.seq, 0) ORDER BY h.tenant_id`,
    );
    return rows.map((r) => r.tenant_id);
  }

  async claim(tenant: string): Promise<AuditFeedLease | undefined> {
    const client = await this.pool.connect();
    let locked = false;
    try {
      locked = (await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked', [SHIP_LOCK, tenant])).rows[0]!.locked;
      if (!locked) {
        client.release();
        return undefined;
      }
      await client.query('INSERT INTO audit_sink_cursors (tenant_id, seq, block) VALUES ($1, 0, 0) ON CONFLICT DO NOTHING', [tenant]);
      const cursor = (await client.query<{ seq: number; block: number }>(
        'SELECT seq::float8 AS seq, block::float8 AS block FROM audit_sink_cursors WHERE tenant_id = $1',
        [tenant],
      )).rows[0]!;
      return new PgAuditFeedLease(client, tenant, cursor);
    } catch (err) {
      // Destroyed rather than returned: a pooled connection must not keep the lock.
      client.release(locked ? (err as Error) : undefined);
      throw err;
    }
  }
}

class PgAuditFeedLease implements AuditFeedLease {
  private readonly tenantJson: string;
  /** Where the next read starts: past the last batch read, which may not be acknowledged yet. */
  private read: { seq: number; block: number };

  constructor(private readonly client: PoolClient, private readonly tenant: string, private cursor: { seq: number; block: number }) {
    this.tenantJson = JSON.stringify(tenant);
    this.read = cursor;
  }

  async next(maxEvents: number, maxBytes: number): Promise<AuditFeedBatch | undefined> {
    const { rows } = await this.client.query<Row>({
      name: 'airlock_audit_sink_next',
      text: NEXT_SQL,
      values: [this.tenant, this.read.block, this.read.seq, maxEvents],
    });
    if (rows.length === 0) return undefined;
    let events = '';
    let count = 0;
    let bytes = 0;
    let last = rows[0]!;
    for (const r of rows) {
      if (r.id === null) {
        last = r;
        continue;
      }
      const json = eventJson(this.tenantJson, r);
      bytes += Buffer.byteLength(json) + 1;
      if (count > 0 && bytes > maxBytes) break;
      events = count === 0 ? json : `${events},${json}`;
      count += 1;
      last = r;
    }
    this.read = { seq: last.seq, block: last.block };
    return { tenant: this.tenant, firstSeq: rows[0]!.seq, lastSeq: last.seq, lastBlock: last.block, count, events };
  }

  async acknowledge(batch: AuditFeedBatch): Promise<void> {
    // Without waiting for the WAL flush, in one round trip: should Postgres
    // itself crash and lose this commit, the cursor is older and the batch
    // goes again (a duplicate, which the receiver drops), never a gap.
    const results = (await this.client.query(
      `BEGIN; SET LOCAL synchronous_commit = off;
       UPDATE audit_sink_cursors SET seq = ${integer(batch.lastSeq)}, block = ${integer(batch.lastBlock)}, acknowledged_at = now()
       WHERE tenant_id = ${this.client.escapeLiteral(this.tenant)} AND seq = ${integer(this.cursor.seq)};
       COMMIT`,
    )) as unknown as { rowCount: number | null }[];
    // Only the lock holder moves the cursor; anything else means the lock was lost with the connection.
    if (results[2]?.rowCount !== 1) throw new Error(`the audit sink cursor of ${this.tenant} moved under this process's lease`);
    this.cursor = { seq: batch.lastSeq, block: batch.lastBlock };
  }

  async release(): Promise<void> {
    try {
      await this.client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [SHIP_LOCK, this.tenant]);
      this.client.release();
    } catch (err) {
      this.client.release(err as Error);
    }
  }
}
