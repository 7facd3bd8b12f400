import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keepQueueStatisticsFresh } from '../../src/infra/postgres/queue-statistics.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { waitFor } from '../support/wait-for.js';

let db: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 3 });
});
afterAll(async () => {
  await pool.end();
  await db.drop();
});

describe('queue table statistics', () => {
  it('analyzes the queue job table again and again, so plans follow its size', async () => {
    // Stands in for BullMQ's table: a queue of delayed jobs that grows after the first statistics.
    await pool.query(`CREATE SCHEMA "q-test"; CREATE TABLE "q-test".job (queue text, process_at_ms bigint, state text)`);
    const analyzed = async () =>
      Number((await pool.query("SELECT analyze_count FROM pg_stat_user_tables WHERE schemaname = 'q-test' AND relname = 'job'")).rows[0]?.analyze_count ?? 0);
    const reltuples = async () => Number((await pool.query(`SELECT reltuples FROM pg_class WHERE oid = '"q-test".job'::regclass`)).rows[0].reltuples);
    const stop = keepQueueStatisticsFresh(pool, 'q-test', pino({ level: 'silent' }), 20);
    try {
      await waitFor(async () => (await analyzed()) >= 1, { what: 'a first ANALYZE' });
      await pool.query(`INSERT INTO "q-test".job SELECT 'timers', g, 'delayed' FROM generate_series(1, 5000) g`);
      await waitFor(async () => (await reltuples()) === 5000, { what: 'statistics that see the new rows' });
    } finally {
      stop();
    }
  });

  it('waits quietly for a schema BullMQ has not created yet', async () => {
    const warnings: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => warnings.push(line) });
    const stop = keepQueueStatisticsFresh(pool, 'not_created_yet', log, 20);
    try {
      // Several rounds run; none may complain about the missing table.
      const before = Number((await pool.query('SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()')).rows[0].xact_commit);
      await waitFor(async () => Number((await pool.query('SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()')).rows[0].xact_commit) > before + 5, { what: 'rounds' });
      expect(warnings).toEqual([]);
    } finally {
      stop();
    }
  });
});
