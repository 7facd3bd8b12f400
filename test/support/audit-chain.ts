import pg from 'pg';
import { PgAuditLog } from '../../src/infra/postgres/audit-log.js';
import { createPool } from '../../src/infra/postgres/pool.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { TEST_SECRET } from './secret.js';
import { waitFor } from './wait-for.js';

/** A fresh database whose tenants' audit chains are built directly (no server): for audit CLI tests. */
/** What an attacker with superuser rights can do: run SQL with the append-only triggers bypassed. The chain must still tell. */
export async function tamper(pool: pg.Pool, sql: string, values: unknown[] = []): Promise<void> {
  const c = await pool.connect();
  try {
    await c.query('SET session_replication_role = replica');
    await c.query(sql, values);
  } finally {
    await c.query('SET session_replication_role = DEFAULT');
    c.release();
  }
}

export interface AuditChainDb {
  db: TestDatabase;
  pool: pg.Pool;
  audit: PgAuditLog;
  /** Inserts `n` events of about 1 KB for `tenant` (committed), without sealing them. */
  insert(tenant: string, n: number): Promise<void>;
  /** Inserts `n` events and seals them as one or more blocks (waits for older transactions of the cluster to end). */
  block(tenant: string, n: number): Promise<void>;
  /** Runs SQL as a superuser who bypasses the append-only triggers. */
  tamper(sql: string, values?: unknown[]): Promise<void>;
  close(): Promise<void>;
}

export async function auditChainDb(): Promise<AuditChainDb> {
  const db = await createTestDatabase();
  const pool = createPool(db.url, 4);
  const audit = new PgAuditLog(pool, TEST_SECRET);
  const insert = async (tenant: string, n: number) => {
    await pool.query(
      `INSERT INTO audit_events (tenant_id, kind, action_id, at, data)
       SELECT $1, 'decision', gen_random_uuid(), clock_timestamp(),
         json_build_object('tool', 'send_customer_email', 'i', i, 'summary', 'Tell Jane "her" refund is on its way – é ✓', 'pad', repeat('x', 900))
       FROM generate_series(1, $2::int) i`,
      [tenant, n],
    );
  };
  const sealedCount = async (tenant: string) =>
    Number((await pool.query('SELECT COALESCE(max(seq), 0) AS n FROM audit_chain_heads WHERE tenant_id = $1', [tenant])).rows[0].n);
  return {
    db,
    pool,
    audit,
    insert,
    block: async (tenant, n) => {
      const target = (await sealedCount(tenant)) + n;
      await insert(tenant, n);
      // A seal takes only events older than every running transaction of the cluster (other test files' too).
      await waitFor(async () => (await audit.seal(tenant), (await sealedCount(tenant)) >= target), { what: `${n} events of ${tenant} sealed`, timeoutMs: 30_000 });
    },
    tamper: (sql, values = []) => tamper(pool, sql, values),
    close: async () => {
      await pool.end();
      await db.drop();
    },
  };
}
