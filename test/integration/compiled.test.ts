import { execFile } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { TEST_SECRET } from '../support/secret.js';

/**
 * The image runs the compiled JavaScript (`npm run build`, then
 * `node dist/src/main/start.js`), not the TypeScript the rest of the suite
 * runs through tsx: build it the same way (into a scratch directory under
 * node_modules, so Node finds this package's `type: module` and its
 * dependencies) and run the CLI from it.
 */
const OUT = 'node_modules/.cache/airlock-compiled-test';
const run = promisify(execFile);
let db: TestDatabase;

beforeAll(async () => {
  rmSync(OUT, { recursive: true, force: true });
  await run('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', OUT]);
  cpSync('src/infra/postgres/migrations', `${OUT}/src/infra/postgres/migrations`, { recursive: true });
  db = await createTestDatabase({ empty: true });
}, 120_000);
afterAll(async () => {
  rmSync(OUT, { recursive: true, force: true });
  await db?.drop();
});

const cli = (args: string[]) =>
  run('node', [`${OUT}/src/main/cli.js`, ...args], { env: { ...process.env, DATABASE_URL: db.url, AIRLOCK_SECRET: TEST_SECRET, POLICY_FILE: 'examples/policy.yml', REDIS_URL: '' } });

describe('the compiled build', () => {
  it('runs the CLI: version, policy check, and every migration from the copied SQL files', async () => {
    expect((await cli(['--version'])).stdout).toMatch(/^airlock \d+\.\d+\.\d+/);
    expect((await cli(['policy', 'check'])).stdout).toContain('ok');
    await cli(['migrate']);
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      const { rows } = await c.query<{ n: number }>('SELECT count(*)::int AS n FROM airlock_migrations');
      const { stdout } = await run('ls', ['src/infra/postgres/migrations']);
      expect(rows[0]!.n).toBe(stdout.trim().split('\n').filter((f) => f.endsWith('.sql')).length);
    } finally {
      await c.end();
    }
  });
});
