import { Writable } from 'node:stream';
import type { Pool, PoolClient } from 'pg';
import type { AuditFeed, AuditFeedBatch, AuditFeedLease } from '../../ports/audit-sink.js';
import { copyRows, integer, literal } from './audit-chain-rows.js';
import { writeEventLine } from './audit-event-line.js';
import { JsonLinesWriter } from './json-lines-writer.js';

/** First key of the (int, int) advisory locks on tenants being shipped ("Airs"); the second is the tenant's hash. */
const SHIP_LOCK = 0x41697273;

/**
 * The next sealed events past the read position (`seq`, in block `block`),
 * at most `limit`, in chain order, as the columns `writeEventLine` takes.
 * Only the blocks that can hold them are read (block numbers are
 * consecutive, and a block holds at least one event), each sliced to the
 * wanted positions; events are looked up one by one by primary key (the
 * lateral subquery is kept from being flattened, so the planner cannot turn
 * it into a scan of every tenant's events when statistics are missing). COPY
 * takes no parameters: the tenant comes quoted, the numbers checked.
 */
const nextQuery = (tenant: string, block: string, seq: string, limit: string) => `
SELECT s.block, s.first_seq, s.pos, s.h, e.id, e.kind, e.action_id, e.at, e.data
FROM (
  SELECT b.block, b.first_seq, r.lo - 1 + x.o AS pos, x.id AS event_id, x.h
  FROM audit_blocks b
  CROSS JOIN LATERAL (SELECT greatest(1, ${seq} - b.first_seq + 2)::int AS lo, (${seq} + ${limit} - b.first_seq + 1)::int AS hi) r
  CROSS JOIN LATERAL unnest(b.event_ids[r.lo:r.hi], b.event_hashes[r.lo:r.hi]) WITH ORDINALITY AS x(id, h, o)
  WHERE b.tenant_id = ${tenant} AND b.block BETWEEN ${block} AND ${block} + ${limit} AND b.first_seq <= ${seq} + ${limit}
) s
LEFT JOIN LATERAL (
  SELECT e.id, e.kind, e.action_id, e.at, e.data FROM audit_events e WHERE e.id = s.event_id AND e.tenant_id = ${tenant} OFFSET 0
) e ON true
ORDER BY s.first_seq + s.pos
LIMIT ${limit}`;

/** Where batches are assembled: lines go into the writer's buffer and are taken back with `cut`, never flushed. */
const nowhere = () => new Writable({ write: (_chunk, _encoding, done) => done() });

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
  private readonly writer = new JsonLinesWriter(nowhere());
  /** Where the next read starts: past the last batch read, which may not be acknowledged yet. */
  private read: { seq: number; block: number };

  constructor(private readonly client: PoolClient, private readonly tenant: string, private cursor: { seq: number; block: number }) {
    this.tenantJson = JSON.stringify(tenant);
    this.read = cursor;
  }

  async next(maxEvents: number, maxBytes: number): Promise<AuditFeedBatch | undefined> {
    const query = nextQuery(literal(this.client, this.tenant), integer(this.read.block), integer(this.read.seq), integer(maxEvents));
    let range: { firstSeq: number; lastSeq: number; lastBlock: number } | undefined;
    let count = 0;
    let full = false;
    await copyRows(this.client, query, (r) => {
      if (full) return;
      // An event whose row is gone counts in the range but has no line: the receiver sees the hole.
      if (!r.isNull(4)) {
        const mark = this.writer.mark();
        if (count > 0) this.writer.text(',');
        writeEventLine(this.writer, this.tenantJson, r);
        if (count > 0 && this.writer.mark() > maxBytes) {
          this.writer.cut(mark);
          full = true;
          return;
        }
        count += 1;
      }
      const seq = r.int8(1) + r.int8(2) - 1;
      range = { firstSeq: range?.firstSeq ?? seq, lastSeq: seq, lastBlock: r.int8(0) };
    });
    if (!range) return undefined;
    this.read = { seq: range.lastSeq, block: range.lastBlock };
    return { tenant: this.tenant, ...range, count, events: this.writer.cut(0) };
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
