import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAirlock, type TestAirlock } from '../support/airlock.js';
import { runCli } from '../support/run-cli.js';

/**
 * `policy plan` from the shell, as a CI step on a policy pull request runs
 * it: the tenant's recorded requests, submitted over HTTP, replayed through
 * the live policy and a candidate, each under the overrides in force when it
 * was decided. The exit status is what the CI gates on.
 */
const LIVE = 'test/fixtures/plan-policy.yml';
let t: TestAirlock;
let env: Record<string, string>;
let dir: string;
let base: string;
const ids: Record<string, string[]> = { queued: [], competitor: [], lookups: [], deniedByAdmin: [] };

async function submit(auth: string, tool: string, args: Record<string, unknown>): Promise<{ id: string; decision: string }> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/actions',
    headers: { authorization: auth },
    payload: { tool, args, requester: { id: 'U0SAM', email: 'sam@acme.test' }, environment: 'production', context: {} },
  });
  expect(res.statusCode).toBe(201);
  return res.json();
}

let n = 0;
/** A candidate: the live file edited by `edit` (which must change it). */
async function candidate(edit: (text: string) => string): Promise<string> {
  const text = edit(base);
  const file = join(dir, `candidate-${n++}.yml`);
  await writeFile(file, text);
  return file;
}

const plan = (file: string, ...more: string[]) => runCli(['policy', 'plan', file, '--tenant', 'acme', ...more], env);
const replace = (from: string, to: string) => (text: string) => {
  expect(text).toContain(from);
  return text.replace(from, to);
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'airlock-plan-'));
  base = await readFile(LIVE, 'utf8');
  t = await startAirlock({ policyFile: LIVE });
  env = { DATABASE_URL: t.db.url, POLICY_FILE: LIVE, REDIS_URL: '', SLACK_BOT_TOKEN: '' };
  const auth = await t.agentAuth('acme', 'bot');
  for (let i = 0; i < 3; i++) ids.queued!.push((await submit(auth, 'send_email', { to: `jane${i}@example.com`, body: 'refund details' })).id);
  ids.competitor!.push((await submit(auth, 'send_email', { to: 'x@competitor.example', body: 'secret pricing' })).id);
  for (let i = 0; i < 2; i++) ids.lookups!.push((await submit(auth, 'lookup_order', { order_id: `o-${i}` })).id);
  // Decided while an admin denied the tool: a replay keeps that override, whatever the candidate says.
  expect((await runCli(['admin', '--tenant', 'acme', 'deny-tool', 'lookup_order', 'drill'], env)).code).toBe(0);
  const denied = await submit(auth, 'lookup_order', { order_id: 'o-denied' });
  expect(denied.decision).toBe('deny');
  ids.deniedByAdmin!.push(denied.id);
  expect((await runCli(['admin', '--tenant', 'acme', 'allow-tool', 'lookup_order'], env)).code).toBe(0);
}, 60_000);
afterAll(async () => {
  await t.close();
  await rm(dir, { recursive: true, force: true });
});

describe('airlock policy plan', () => {
  it('exits 3 and lists a loosening change first, with counts per tool and example action ids', async () => {
    const file = await candidate((s) => replace('lookup_order:\n    owner: support-platform\n    risk: low\n    mode: allow', 'lookup_order:\n    owner: support-platform\n    risk: low\n    mode: observe')(replace('    mode: approval_required\n', '    mode: allow\n')(s)));
    const res = await plan(file);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(3);
    const lines = res.stdout.split('\n');
    const loosen = lines.findIndex((l) => /LOOSENS\s+queue_for_approval → allow\s+3/.test(l));
    const tighten = lines.findIndex((l) => /tightens\s+allow → constrain\(observe\)\s+2/.test(l));
    expect(loosen).toBeGreaterThan(-1);
    expect(tighten).toBeGreaterThan(loosen);
    expect(lines[loosen + 1]).toMatch(/send_email\s+3\s+/);
    for (const id of ids.queued!) expect(lines[loosen + 1]).toContain(id);
    expect(res.stdout).toContain('7 actions');
  });

  it('exits 2 when changes only tighten, and replays each request under the admin overrides in force when it was decided', async () => {
    const file = await candidate(replace('lookup_order:\n    owner: support-platform\n    risk: low\n    mode: allow', 'lookup_order:\n    owner: support-platform\n    risk: low\n    mode: observe'));
    const res = await plan(file, '--json');
    expect(res.code).toBe(2);
    const report = JSON.parse(res.stdout);
    // The lookup decided while the tool was denied by an admin stays denied in both: 2 change, not 3.
    expect(report).toMatchObject({ tenant: 'acme', actions: 7, unchanged: 5, verdict: 'tightens', counts: { loosens: 0, tightens: 2, relabels: 0, undetermined: 0 } });
    expect(report.transitions).toEqual([
      { from: 'allow', to: 'constrain(observe)', effect: 'tightens', count: 2, tools: [{ tool: 'lookup_order', count: 2, examples: expect.arrayContaining(ids.lookups!) }] },
    ]);
    expect(report.transitions[0].tools[0].examples).not.toContain(ids.deniedByAdmin![0]);
    expect(report.since).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('exits 0 when nothing changes', async () => {
    const file = await candidate((s) => `# reworded, same rules\n${s}`);
    const res = await plan(file);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Nothing changes');
    expect(res.stdout).toContain('7 actions');
  });

  it('exits 1 and lists every error by path when the candidate does not parse', async () => {
    const file = await candidate((s) => replace('    mode: allow', '    mode: sometimes')(replace('safest_mode: observe', 'safest_mode: maybe')(s)));
    const res = await plan(file);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('tools.lookup_order.mode');
    expect(res.stderr).toContain('tools.send_email.safest_mode');
    expect(res.stdout).toBe('');
  });

  it('says a window without actions has none, and exits 0', async () => {
    const res = await plan(LIVE, '--since', '2020-01-01T00:00:00Z', '--until', '2020-01-02T00:00:00Z');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('No actions of tenant acme were recorded between 2020-01-01T00:00:00.000Z and 2020-01-02T00:00:00.000Z');
  });

  it('counts a request as undetermined, never guessed, when a candidate condition reads a redacted argument', async () => {
    const file = await candidate(replace("        then: deny\n", "        then: deny\n      - if: \"args.body.contains('refund')\"\n        then: allow\n"));
    const res = await plan(file, '--json');
    expect(res.code).toBe(3);
    const report = JSON.parse(res.stdout);
    // The competitor's email is denied by the first rule before the body is read: determined, unchanged.
    expect(report.counts).toEqual({ loosens: 0, relabels: 0, tightens: 0, undetermined: 3 });
    expect(report.undetermined).toEqual([{ why: 'reads_redacted_value', count: 3, tools: [{ tool: 'send_email', count: 3, examples: expect.arrayContaining(ids.queued!) }] }]);
    expect(res.stdout).not.toContain('refund details');
  });

  it('reports a tenant the candidate drops as such: every one of its requests would be denied', async () => {
    const file = await candidate(replace('tenants:\n  acme:', 'tenants:\n  globex:'));
    const res = await plan(file);
    expect(res.code).toBe(2);
    expect(res.stdout).toContain('The candidate does not declare tenant acme');
    expect(res.stdout).toMatch(/tightens\s+queue_for_approval → deny\s+3/);
  });

  it('counts an action recorded without its overrides (before they were kept) as undetermined', async () => {
    await t.core.pool.query('UPDATE action_payloads SET overrides_version = NULL WHERE action_id = $1', [ids.lookups![0]]);
    const res = await plan(LIVE, '--json');
    expect(res.code).toBe(3);
    const report = JSON.parse(res.stdout);
    expect(report.undetermined).toEqual([{ why: 'overrides_not_recorded', count: 1, tools: [{ tool: 'lookup_order', count: 1, examples: [ids.lookups![0]] }] }]);
    expect(report.unchanged).toBe(6);
  });
});
