import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/**
 * An admin connection that waits out a moment when Postgres has no free
 * connection slot (two test files that each run Airlock servers can briefly
 * hold most of the machine's max_connections): retried for up to 30 s.
 */
async function adminClient(url: string): Promise<pg.Client> {
  const deadline = Date.now() + 30_000;
  for (let delay = 100; ; delay = Math.min(delay * 2, 2_000)) {
    const c = new pg.Client({ connectionString: url });
    try {
      await c.connect();
      return c;
    } catch (err) {
      await c.end().catch(() => undefined);
      // 53300: too_many_connections.
      if ((err as { code?: string }).code !== '53300' || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/** A fresh database cloned from the run's migrated template (or, `empty`, with no schema at all). */
export async function createTestDatabase(opts: { empty?: boolean } = {}): Promise<TestDatabase> {
  const template = inject('templateDatabase');
  const base = inject('adminDatabaseUrl');
  const name = `${template}_${randomBytes(4).toString('hex')}`;
  const admin = await adminClient(base);
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${opts.empty ? 'template0' : template}`);
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      const c = await adminClient(base);
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
