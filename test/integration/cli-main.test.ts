import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { inject } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { runCli } from '../support/run-cli.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The CLI's entry point run inside the test process, the way most CLI tests
 * run it: everything a process would get from outside (argv, environment,
 * streams) is passed in, and nothing it opens outlives the call.
 */
let db: TestDatabase;
const env = (more: Record<string, string | undefined> = {}) => ({ DATABASE_URL: db.url, POLICY_FILE: 'examples/policy.yml', REDIS_URL: inject('redisUrl'), ...more });

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

/** Connections to the test's database, counted from another database. */
async function connectionsTo(name: string): Promise<number> {
  const c = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
  await c.connect();
  try {
    return Number((await c.query('SELECT count(*) FROM pg_stat_activity WHERE datname = $1', [name])).rows[0].count);
  } finally {
    await c.end();
  }
}

const openSockets = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;

describe('the CLI run in-process', () => {
  it('reads its configuration from the environment it is given, never from the process', async () => {
    const bad = await runCli(['migrate'], env({ PORT: 'abc' }));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('PORT');

    vi.stubEnv('PORT', 'abc');
    try {
      const out = await runCli(['migrate'], env({ PORT: '3000' }));
      expect(out).toMatchObject({ code: 0, stderr: '' });
      expect(out.stdout).toContain('up to date');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('takes the MCP gateway’s agent key from the environment it is given', async () => {
    const out = await runCli(['mcp-gateway'], env({ AIRLOCK_AGENT_KEY: 'alk_given' }));
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('name the upstream MCP server');
    expect(out.stderr).not.toContain('an agent key is required');
  });

  it('writes its warnings and log lines to the streams it is given, not the process’s', async () => {
    const written = vi.spyOn(process.stderr, 'write');
    try {
      const plain = await runCli(['agent', 'list'], env({ POLICY_FILE: undefined, LOG_LEVEL: undefined }));
      expect(plain.code).toBe(0);
      expect(plain.stderr).toContain('airlock: warning: no ./policy.yml and no POLICY_FILE set');
      const logged = await runCli(['agent', 'list'], env({ POLICY_FILE: undefined, LOG_LEVEL: 'warn' }));
      expect(logged.code).toBe(0);
      const lines = logged.stderr.trim().split('\n').map((l) => JSON.parse(l) as { msg: string });
      expect(lines.map((l) => l.msg)).toContainEqual(expect.stringContaining('no ./policy.yml and no POLICY_FILE set'));
      expect(written.mock.calls.map(([chunk]) => String(chunk)).join('')).not.toContain('no ./policy.yml');
    } finally {
      written.mockRestore();
    }
  });

  it('leaves no connection open once a command returned', async () => {
    const sockets = openSockets();
    const postgresQueues = { REDIS_URL: '' };
    for (const [args, more] of [
      [['agent', 'list'], {}],
      [['review', 'list', '--tenant', 'acme'], {}],
      [['review', 'list', '--tenant', 'acme'], postgresQueues],
      [['admin', '--tenant', 'acme', 'status'], postgresQueues],
      [['audit', 'verify', '--tenant', 'acme'], {}],
      [['report', '--tenant', 'acme'], {}],
    ] as const) {
      const out = await runCli([...args], env(more));
      expect(out.code, `${args.join(' ')}: ${out.stderr}`).toBe(0);
    }
    await waitFor(async () => (await connectionsTo(db.name)) === 0, { what: 'the CLI’s database connections to close' });
    await waitFor(() => openSockets() <= sockets, { what: `open sockets back to ${sockets}` });
  });
});
