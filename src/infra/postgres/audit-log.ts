import type { Writable } from 'node:stream';
import type { Pool, PoolClient } from 'pg';
import type { AuditEvent } from '../../domain/audit-event.js';
import type { AuditCheckpoint, AuditExportFilter, AuditLog, ChainVerification, VerifyOptions } from '../../ports/audit-log.js';
import { AuditChainKey } from './audit-chain-key.js';
import { exportJsonLines } from './audit-export.js';
import { blockHash, genesisHash } from './audit-hashes.js';
import { verifyChain } from './audit-verifier.js';
import { withTransaction } from './transaction.js';

/** Events per block. */
const BLOCK = 2000;

interface Head {
  block: number;
  seq: number;
  hash: string;
  sealed_xid: string;
  sealed_id: number;
}

/** bigint columns as float8: numbers whatever type parsers the process has installed. */
const HEAD_SELECT = 'SELECT block::float8 AS block, seq::float8 AS seq, hash, sealed_xid::text AS sealed_xid, sealed_id::float8 AS sealed_id FROM audit_chain_heads WHERE tenant_id = $1';

/**
 * The next block's events: the tenant's committed events past the watermark,
 * in (xid, id) order, only those older than every running transaction (an
 * event that commits late is sealed later, never skipped). Runs after the
 * head row is locked, so its snapshot sees every block sealed before.
 */
const PICK_SQL = `
WITH ev AS (
  SELECT e.id, e.xid, airlock_audit_event_hash(e) AS h
  FROM audit_events e
  WHERE e.tenant_id = $1 AND (e.xid, e.id) > ($2::xid8, $3::bigint)
    AND e.xid < pg_snapshot_xmin(pg_current_snapshot())
  ORDER BY e.xid, e.id
  LIMIT $4
)
SELECT array_agg(id ORDER BY xid, id) AS ids, array_agg(h ORDER BY xid, id) AS hashes,
  (array_agg(xid::text ORDER BY xid DESC, id DESC))[1] AS last_xid, (array_agg(id ORDER BY xid DESC, id DESC))[1]::float8 AS last_id
FROM ev HAVING count(*) > 0`;

/** The block (with its MAC, computed here: the key never reaches the database) and the head moved onto it. */
const WRITE_SQL = `
WITH b AS (
  INSERT INTO audit_blocks (tenant_id, block, first_seq, event_ids, event_hashes, prev_hash, hash, mac, last_xid, last_id)
  VALUES ($1, $2, $3, $4::bigint[], $5::bytea[], $6, $7, $8, $9::xid8, $10)
)
UPDATE audit_chain_heads SET block = $2, seq = $3 + cardinality($4::bigint[]) - 1, hash = $7, sealed_xid = $9::xid8, sealed_id = $10
WHERE tenant_id = $1`;

/**
 * Per-tenant hash chain over audit_events, in blocks, each authenticated with
 * a MAC under a key derived from AIRLOCK_SECRET (see AuditChainKey). Writers
 * insert events in their own transactions and never wait for sealing; `seal`
 * appends what has committed as one block per batch, under a row lock on the
 * tenant's chain head.
 */
export class PgAuditLog implements AuditLog {
  private readonly key: AuditChainKey;

  /** `secret` is AIRLOCK_SECRET: sealing and verifying need the chain key derived from it. */
  constructor(private readonly pool: Pool, secret: string) {
    this.key = AuditChainKey.fromSecret(secret);
  }

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
      const picked = (await client.query<{ ids: (string | number)[]; hashes: Buffer[]; last_xid: string; last_id: number }>({
        name: 'airlock_audit_seal_pick',
        text: PICK_SQL,
        values: [tenant, head.sealed_xid, head.sealed_id, BLOCK],
      })).rows[0];
      if (!picked) return 0;
      const block = head.block + 1;
      const firstSeq = head.seq + 1;
      const hash = blockHash(tenant, block, firstSeq, head.hash, picked.hashes);
      await client.query({
        name: 'airlock_audit_seal_write',
        text: WRITE_SQL,
        values: [tenant, block, firstSeq, picked.ids, picked.hashes, head.hash, hash, this.key.blockMac(tenant, hash, picked.last_xid, picked.last_id), picked.last_xid, picked.last_id],
      });
      return picked.ids.length;
    });
  }

  private async lockHead(client: PoolClient, tenant: string): Promise<Head> {
    const select = () => client.query<Head>(`${HEAD_SELECT} FOR UPDATE`, [tenant]);
    const found = (await select()).rows[0];
    if (found) return found;
    await client.query(
      "INSERT INTO audit_chain_heads (tenant_id, block, seq, hash, sealed_xid, sealed_id) VALUES ($1, 0, 0, $2, '0', 0) ON CONFLICT DO NOTHING",
      [tenant, genesisHash(tenant)],
    );
    return (await select()).rows[0]!;
  }

  verify(tenant: string, opts: VerifyOptions & { parallel?: number } = {}): Promise<ChainVerification> {
    return verifyChain(this.pool, this.key, tenant, opts);
  }

  /**
   * The head as it stands, authenticated. The last block's hash and MAC are
   * checked first, so a checkpoint never vouches for a block this key did not
   * seal; the rest of the chain is `verify`'s job.
   */
  async checkpoint(tenant: string): Promise<AuditCheckpoint> {
    const last = (await this.pool.query<{ block: number; seq: number; hash: string; mac: string; prev_hash: string; first_seq: number; hashes: Buffer[]; last_xid: string; last_id: number }>(
      `SELECT block::float8 AS block, (first_seq + cardinality(event_ids) - 1)::float8 AS seq, hash, mac, prev_hash, first_seq::float8 AS first_seq, event_hashes AS hashes,
         last_xid::text AS last_xid, last_id::float8 AS last_id
       FROM audit_blocks WHERE tenant_id = $1 ORDER BY block DESC LIMIT 1`,
      [tenant],
    )).rows[0];
    if (last && (blockHash(tenant, last.block, last.first_seq, last.prev_hash, last.hashes) !== last.hash || !AuditChainKey.same(this.key.blockMac(tenant, last.hash, last.last_xid, last.last_id), last.mac))) {
      throw new Error(`the last block of ${tenant}'s chain (block ${last.block}) does not match its hash and MAC: run \`audit verify\` and investigate before taking a checkpoint`);
    }
    const head = last ? { block: last.block, seq: last.seq, hash: last.hash } : { block: 0, seq: 0, hash: genesisHash(tenant) };
    const body = { tenant, ...head, at: new Date().toISOString() };
    return { ...body, mac: this.key.checkpointMac(body) };
  }

  exportJsonLines(tenant: string, out: Writable, filter?: AuditExportFilter): Promise<number> {
    return exportJsonLines(this.pool, tenant, out, filter);
  }
}
