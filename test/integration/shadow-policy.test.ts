import { PassThrough } from 'node:stream';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAirlock, type TestAirlock } from '../support/airlock.js';
import { runCli } from '../support/run-cli.js';
import { waitFor } from '../support/wait-for.js';

/**
 * A shadow policy (POLICY_SHADOW_FILE) judges every live request after its
 * real decision: recorded with the action and in its decision event, never
 * enforced, never shown to the agent; `policy shadow-report` summarises where
 * it disagreed. The live policy queues send_email and allows lookup_order;
 * the shadow allows send_email (looser) and denies lookup_order (stricter).
 */
const LIVE = 'test/fixtures/plan-policy.yml';
let t: TestAirlock;
let dir: string;
let shadowFile: string;
let live: string;
let auth: string;
const log = new PassThrough();
let logged = '';
log.on('data', (chunk: Buffer) => (logged += chunk.toString()));

async function submit(auth: string, tool: string, args: Record<string, unknown>) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/actions',
    headers: { authorization: auth },
    payload: { tool, args, requester: { id: 'U0SAM' }, environment: 'production' },
  });
  expect(res.statusCode).toBe(201);
  return res.json() as Record<string, unknown> & { id: string; decision: string };
}

const shadowReport = (...more: string[]) =>
  runCli(['policy', 'shadow-report', '--tenant', 'acme', ...more], { DATABASE_URL: t.db.url, POLICY_FILE: LIVE, REDIS_URL: '', SLACK_BOT_TOKEN: '' });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'airlock-shadow-'));
  live = await readFile(LIVE, 'utf8');
  shadowFile = join(dir, 'shadow.yml');
  const shadow = live
    .replace('    mode: approval_required\n', '    mode: allow\n')
    .replace('  lookup_order:\n    owner: support-platform\n    risk: low\n    mode: allow', '  lookup_order:\n    owner: support-platform\n    risk: low\n    mode: off');
  expect(shadow).not.toBe(live);
  await writeFile(shadowFile, shadow);
  t = await startAirlock({ policyFile: LIVE, env: { POLICY_SHADOW_FILE: shadowFile, LOG_LEVEL: 'info' }, logStream: log });
  auth = await t.agentAuth('acme', 'bot');
}, 60_000);

afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('shadow policy', () => {
  it('records what the shadow would decide with the action and its decision event, and never enforces it nor tells the agent', async () => {
    const queued = await submit(auth, 'send_email', { to: 'jane@example.com', body: 'secret' });
    const allowed = await submit(auth, 'lookup_order', { order_id: 'o-1' });
    // Enforced: the live policy's decisions.
    expect(queued).toMatchObject({ decision: 'queue_for_approval', status: 'pending' });
    expect(allowed).toMatchObject({ decision: 'allow' });
    for (const answer of [queued, allowed]) expect(JSON.stringify(answer)).not.toMatch(/shadow/i);
    const read = await t.app.inject({ method: 'GET', url: `/v1/actions/${allowed.id}`, headers: { authorization: auth } });
    expect(read.body).not.toMatch(/shadow/i);

    const { rows: events } = await t.core.pool.query<{ action_id: string; data: { shadow?: Record<string, string>; final_decision: string } }>(
      "SELECT action_id, data FROM audit_events WHERE kind = 'decision' AND action_id = ANY($1) ORDER BY id",
      [[queued.id, allowed.id]],
    );
    expect(events.map((e) => e.data.shadow)).toEqual([
      { policy_version: expect.any(String), decision: 'allow', mode: 'allow', rule: 'tools.send_email.mode' },
      { policy_version: expect.any(String), decision: 'deny', mode: 'off', rule: 'tools.lookup_order.mode' },
    ]);
    const { rows: stored } = await t.core.pool.query<{ shadow: { decision: string; live: { decision: string } } }>('SELECT shadow FROM action_payloads WHERE action_id = $1', [queued.id]);
    expect(stored[0]!.shadow).toMatchObject({ decision: 'allow', live: { decision: 'queue_for_approval' } });
  });

  it('summarises the disagreement, looser first, and exits 3 when the shadow would loosen something', async () => {
    const text = await shadowReport();
    expect(text.code).toBe(3);
    const lines = text.stdout.split('\n');
    const loosens = lines.findIndex((l) => l.startsWith('LOOSENS') && l.includes('queue_for_approval → allow'));
    const tightens = lines.findIndex((l) => l.startsWith('tightens') && l.includes('allow → deny'));
    expect(loosens).toBeGreaterThan(-1);
    expect(tightens).toBeGreaterThan(loosens);
    const json = await shadowReport('--json');
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({ tenant: 'acme', actions: 2, counts: { loosens: 1, tightens: 1 }, verdict: 'loosens' });
  });

  it('refuses an invalid shadow file on reload and keeps deciding with the live policy and the last good shadow', async () => {
    await writeFile(shadowFile, 'tools: [not a map');
    logged = '';
    await t.core.reloadPolicy();
    await waitFor(() => logged.includes('shadow policy refused'), { what: 'the refusal logged' });
    const answer = await submit(auth, 'lookup_order', { order_id: 'o-2' });
    expect(answer.decision).toBe('allow');
    const {
      rows: [event],
    } = await t.core.pool.query<{ data: { shadow?: { decision: string } } }>("SELECT data FROM audit_events WHERE kind = 'decision' AND action_id = $1", [answer.id]);
    expect(event!.data.shadow).toMatchObject({ decision: 'deny' });
  });

  it('says so and exits 0 for a window in which no shadow judged anything', async () => {
    const res = await shadowReport('--since', '2001-01-01', '--until', '2001-02-01');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('No request of tenant acme was judged by a shadow policy');
  });

  it('runs shadow-report and plan with a read-only database role, as a CI job would', async () => {
    const role = `airlock_ro_${Date.now().toString(36)}`;
    const pool = t.core.pool;
    const database = (await pool.query<{ d: string }>('SELECT current_database() AS d')).rows[0]!.d;
    await pool.query(`CREATE ROLE ${role} LOGIN`);
    try {
      await pool.query(`GRANT CONNECT ON DATABASE ${database} TO ${role}; GRANT USAGE ON SCHEMA public TO ${role}; GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role}`);
      const url = new URL(t.db.url);
      url.username = role;
      const env = { DATABASE_URL: url.toString(), POLICY_FILE: LIVE, REDIS_URL: '', SLACK_BOT_TOKEN: '' };
      const report = await runCli(['policy', 'shadow-report', '--tenant', 'acme', '--json'], env);
      expect(report.stderr).not.toMatch(/permission denied/);
      expect(JSON.parse(report.stdout)).toMatchObject({ tenant: 'acme' });
      await writeFile(join(dir, 'candidate.yml'), live);
      const same = await runCli(['policy', 'plan', join(dir, 'candidate.yml'), '--tenant', 'acme', '--json'], env);
      expect(same.code).toBe(0);
      expect(JSON.parse(same.stdout)).toMatchObject({ tenant: 'acme', verdict: 'unchanged' });
    } finally {
      await pool.query(`REASSIGN OWNED BY ${role} TO CURRENT_USER; DROP OWNED BY ${role}; DROP ROLE ${role}`);
    }
  });
});
