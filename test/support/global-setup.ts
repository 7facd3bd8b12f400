import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migrate } from '../../src/infra/postgres/migrate.js';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string;
    adminDatabaseUrl: string;
    redisUrl: string;
    runId: string;
  }
}

/**
 * Once per `npm test`: a fresh, migrated template database. Each test file
 * clones it (test/support/database.ts), so every run and every file starts
 * from an empty, fully migrated schema on the real Postgres.
 */
export default async function setup(project: TestProject) {
  const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const runId = `${Date.now().toString(36)}${process.pid.toString(36)}`;
  const template = `airlock_test_${runId}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${template}`);
  const url = new URL(base);
  url.pathname = `/${template}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
  await migrate(pool);
  await pool.end();

  project.provide('templateDatabase', template);
  project.provide('adminDatabaseUrl', base);
  project.provide('redisUrl', redisUrl);
  project.provide('runId', runId);

  return async () => {
    // Clones are dropped by their files; sweep anything a crashed file left behind.
    const { rows } = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${template}%`]);
    for (const { datname } of rows.filter((r) => r.datname !== template)) {
      await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    }
    await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await admin.end();
  };
}
