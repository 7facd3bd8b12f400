import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { startSlackAirlock, type SlackTestAirlock } from '../support/slack-airlock.js';
import { SIGNING_SECRET } from '../support/slack-requests.js';
import { waitFor } from '../support/wait-for.js';

/**
 * `audit export` with filters: only the output is narrowed (in SQL, still
 * streamed); the events keep their place in the whole chain (`seq`, `block`,
 * `hash`), which is sealed as a whole first, as without filters.
 */
let t: SlackTestAirlock;
let env: Record<string, string>;
/** Between the two batches of requests below. */
let mark: string;
const ids: Record<string, string> = {};

type Line = { id: string; seq: number | null; kind: string; action_id: string | null; at: string; data: Record<string, any>; block: number | null; hash: string | null };

beforeAll(async () => {
  t = await startSlackAirlock();
  env = { DATABASE_URL: t.db.url, POLICY_FILE: 'test/fixtures/approval-policy.yml', REDIS_URL: '', SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: t.slack.url };
  const helper = await t.agentAuth('acme', 'helper');
  ids.botRead = (await t.submit('read')).id;
  ids.helperRefund = (await t.submit('refund', {}, helper)).id;
  const before = (await t.core.pool.query<{ at: Date }>('SELECT max(at) AS at FROM audit_events')).rows[0]!.at;
  // Event times are the server's; the mark lies strictly between the two batches.
  await waitFor(() => Date.now() > before.getTime() + 5, { what: 'the clock to move on' });
  mark = new Date(before.getTime() + 2).toISOString();
  await waitFor(() => Date.now() > Date.parse(mark) + 2, { what: 'the clock to pass the mark' });
  ids.helperRead = (await t.submit('read', {}, helper)).id;
  const res = await t.app.inject({ method: 'POST', url: `/v1/actions/${ids.botRead}/result`, headers: { authorization: t.auth }, payload: { outcome: 'succeeded', args: {} } });
  expect(res.statusCode, res.body).toBe(200);
  await waitFor(async () => (await unsealed()) === 0, { what: 'every event sealed' });
});
afterAll(() => t.close());

/** Events past the tenant's sealing watermark. */
const unsealed = async () =>
  Number((await t.core.pool.query(`SELECT count(*) FROM audit_events e LEFT JOIN audit_chain_heads h ON h.tenant_id = e.tenant_id
    WHERE (e.xid, e.id) > (COALESCE(h.sealed_xid, '0'::xid8), COALESCE(h.sealed_id, 0))`)).rows[0].count);

const exported = async (...filters: string[]) => {
  const out = await runCli(['audit', 'export', '--tenant', 'acme', ...filters], env);
  expect(out.code, out.stderr).toBe(0);
  return out.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line);
};
const what = (lines: Line[]) => lines.map((l) => [l.kind, l.action_id]);

describe('audit export filters', () => {
  it('narrows the output by tool, agent, decision, status and time, each event keeping its place in the chain', async () => {
    const all = await exported();
    expect(all.length).toBeGreaterThanOrEqual(5);
    expect(all.map((l) => l.seq)).toEqual(all.map((_, i) => i + 1));

    expect(what(await exported('--tool', 'read', '--agent', 'helper'))).toEqual([['decision', ids.helperRead]]);
    expect(what(await exported('--decision', 'deny'))).toEqual([['decision', ids.helperRefund]]);
    expect(what(await exported('--status', 'succeeded'))).toEqual([['result', ids.botRead]]);
    expect(what(await exported('--agent', 'bot', '--tool', 'read'))).toEqual([['decision', ids.botRead], ['result', ids.botRead]]);
    // Before the mark: the two agents' keys (audited with their agent, without a tool) and the first two decisions.
    expect(what(await exported('--until', mark))).toEqual([['agent_key', null], ['agent_key', null], ['decision', ids.botRead], ['decision', ids.helperRefund]]);
    expect((await exported('--agent', 'helper')).map((l) => l.kind)).toEqual(['agent_key', 'decision', 'decision']);
    expect(what(await exported('--since', mark, '--tool', 'read'))).toEqual([['decision', ids.helperRead], ['result', ids.botRead]]);
    expect(await exported('--since', '1h')).toEqual(all);

    // A filtered line is the same line as in the whole export: same seq, block and hash.
    const [result] = await exported('--status', 'succeeded');
    expect(result).toEqual(all.find((l) => l.kind === 'result'));
  });

  it('refuses a filter it cannot read, naming what it takes, and exports nothing', async () => {
    const since = await runCli(['audit', 'export', '--tenant', 'acme', '--since', 'yesterday'], env);
    expect(since).toMatchObject({ code: 2, stdout: '' });
    expect(since.stderr).toContain('--since takes a duration (30d, 12h) or an ISO date');

    const decision = await runCli(['audit', 'export', '--tenant', 'acme', '--decision', 'approved'], env);
    expect(decision).toMatchObject({ code: 2, stdout: '' });
    expect(decision.stderr).toContain('--decision takes one of allow, constrain, queue_for_approval, deny, fallback');

    const status = await runCli(['audit', 'export', '--tenant', 'acme', '--status', 'done'], env);
    expect(status).toMatchObject({ code: 2, stdout: '' });
    expect(status.stderr).toContain('--status takes one of decided, pending, approved, denied, expired, succeeded, failed, rolled_back');

    const order = await runCli(['audit', 'export', '--tenant', 'acme', '--since', mark, '--until', '2000-01-01'], env);
    expect(order).toMatchObject({ code: 2, stdout: '' });
    expect(order.stderr).toContain('--since must be before --until');
  });
});
