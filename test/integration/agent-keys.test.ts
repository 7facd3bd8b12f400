import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { freePort } from '../support/free-port.js';
import { runCli } from '../support/run-cli.js';
import { TEST_SECRET } from '../support/secret.js';
import { waitFor } from '../support/wait-for.js';

/**
 * Key lifecycle through the surfaces an operator and an agent use: the CLI
 * changes keys, two API processes (each with its own key cache) answer.
 */
let db: TestDatabase;
let dir: string;
let policyFile: string;
const servers: { proc: ChildProcess; base: string }[] = [];

const cliEnv = () => ({ DATABASE_URL: db.url, POLICY_FILE: policyFile });
/** Key changes are audited as operator key-tester; a listing takes no --as (a flag a command does not take is refused). */
const cli = async (...args: string[]) => {
  const out = await runCli([...args, ...(args[1] === 'list' ? [] : ['--as', 'key-tester'])], cliEnv());
  expect(out.code, out.stderr).toBe(0);
  return out.stdout;
};

beforeAll(async () => {
  db = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'airlock-keys-'));
  policyFile = join(dir, 'policy.yml');
  await writeFile(policyFile, await readFile('examples/policy.yml'));
  for (let i = 0; i < 2; i++) {
    const port = await freePort();
    const env = { ...process.env, ...cliEnv(), AIRLOCK_SECRET: TEST_SECRET, REDIS_URL: '', PORT: String(port), LOG_LEVEL: 'silent' };
    servers.push({ proc: spawn('node', ['--import', 'tsx', 'src/main/start.ts'], { env, stdio: 'ignore' }), base: `http://127.0.0.1:${port}` });
  }
  for (const s of servers) {
    await waitFor(async () => (await fetch(`${s.base}/readyz`)).ok, {
      timeoutMs: 60_000,
      intervalMs: 100,
      what: 'server ready',
      giveUp: () => (s.proc.exitCode !== null ? `the server exited with ${s.proc.exitCode}` : undefined),
    });
  }
}, 90_000);

afterAll(async () => {
  for (const s of servers) s.proc.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
  await db.drop();
});

/** The status each API process answers for a request with this key. */
async function statuses(key: string): Promise<number[]> {
  return Promise.all(
    servers.map(async (s) => {
      const res = await fetch(`${s.base}/v1/actions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ tool: 'lookup_order', args: { order_id: 'o1' }, requester: { id: 'U1' } }),
      });
      await res.arrayBuffer();
      return res.status;
    }),
  );
}

describe('agent keys', () => {
  it('a revoked key stops working on every process at once', async () => {
    const { key } = JSON.parse(await cli('agent', 'create', '--tenant', 'globex', '--name', 'support-bot'));
    // Both processes have the key in their cache now.
    expect(await statuses(key)).toEqual([201, 201]);
    expect(await cli('agent', 'revoke', '--tenant', 'globex', '--name', 'support-bot')).toMatch(/^revoked 1 key of globex\/support-bot/);
    expect(await statuses(key)).toEqual([401, 401]);
  });

  // The grace outlasts what runs inside it (two pairs of requests and an in-process `agent list`, a second or two on a busy machine).
  it('rotate issues a new key; the old one works for the grace period only, or stops at once without one', { timeout: 60_000 }, async () => {
    const first = JSON.parse(await cli('agent', 'create', '--tenant', 'acme', '--name', 'support-bot'));
    expect(await statuses(first.key)).toEqual([201, 201]);

    const second = JSON.parse(await cli('agent', 'rotate', '--tenant', 'acme', '--name', 'support-bot', '--grace', '6s'));
    expect(second.key).not.toBe(first.key);
    expect(second.previous_keys).toEqual([{ id: first.key_id, valid_until: expect.any(String) }]);
    expect(await statuses(second.key)).toEqual([201, 201]);
    expect(await statuses(first.key)).toEqual([201, 201]);
    const listed = await cli('agent', 'list', '--tenant', 'acme');
    expect(listed).toMatch(new RegExp(`${first.key_id}\\s+grace`));
    expect(listed).toMatch(new RegExp(`${second.key_id}\\s+active`));
    await waitFor(async () => (await statuses(first.key)).every((s) => s === 401), { timeoutMs: 25_000, intervalMs: 200, what: 'the grace period to end' });

    const third = JSON.parse(await cli('agent', 'rotate', '--tenant', 'acme', '--name', 'support-bot'));
    expect(await statuses(second.key)).toEqual([401, 401]);
    expect(await statuses(third.key)).toEqual([201, 201]);
  });

  it('keys of an agent removed from the policy stop working, and can still be listed and revoked', { timeout: 30_000 }, async () => {
    const { key } = JSON.parse(await cli('agent', 'create', '--tenant', 'acme', '--name', 'ops-bot'));
    expect(await statuses(key)).toEqual([201, 201]);
    const policy = await readFile(policyFile, 'utf8');
    await writeFile(policyFile, policy.replace(/^\s+ops-bot: .*\n/m, '').replace(/tools: \[lookup_order, restart_service, grant_admin\]/, ''));
    for (const s of servers) s.proc.kill('SIGHUP');
    await waitFor(async () => (await statuses(key)).every((s) => s === 403), { timeoutMs: 10_000, intervalMs: 100, what: 'the removed agent to be refused' });
    expect(await cli('agent', 'list', '--tenant', 'acme')).toContain('ops-bot (not in policy)');
    expect(await cli('agent', 'revoke', '--tenant', 'acme', '--name', 'ops-bot')).toMatch(/^revoked 1 key/);
    await writeFile(policyFile, policy);
  });

  it('audits every change with the operator named by --as and the OS user who ran it, and never stores or records a key', async () => {
    // globex declares no audited-bot: refused, nothing written.
    const refused = await runCli(['agent', 'create', '--tenant', 'globex', '--name', 'audited-bot'], cliEnv());
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('agent audited-bot is not declared');
    // globex/support-bot's key was revoked above: the rotation leaves no previous key, and the new one is revoked by id.
    const rotated = JSON.parse(await cli('agent', 'rotate', '--tenant', 'globex', '--name', 'support-bot', '--grace', '1h'));
    expect(rotated.previous_keys).toEqual([]);
    expect(await cli('agent', 'revoke', '--tenant', 'globex', '--name', 'support-bot', '--key', rotated.key_id)).toMatch(/^revoked 1 key/);

    // Reading the trail records no operator: audit takes no --as.
    const exportRun = await runCli(['audit', 'export', '--tenant', 'globex'], cliEnv());
    expect(exportRun.code, exportRun.stderr).toBe(0);
    const events = exportRun.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((e) => e.kind === 'agent_key');
    expect(events.map((e) => e.data.change)).toEqual(['created', 'revoked', 'rotated', 'revoked']);
    for (const e of events) expect(e.data).toMatchObject({ tenant: 'globex', agent: 'support-bot', operator: { platform: 'cli', operator: 'key-tester', os_user: userInfo().username } });
    expect(exportRun.stdout).not.toContain(rotated.key);

    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    const stored = JSON.stringify((await c.query('SELECT a.*, k.* FROM agents a JOIN agent_keys k ON k.agent_id = a.id')).rows);
    await c.end();
    expect(stored).not.toContain(rotated.key);
  });
});
