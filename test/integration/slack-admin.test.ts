import { userInfo } from 'node:os';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ACTION_AUDIT_KEYS, actionAuditFields } from '../../src/domain/audit-event.js';
import { runCli } from '../support/run-cli.js';
import { slashCommand } from '../support/slack-command.js';
import { waitFor } from '../support/wait-for.js';
import { startSlackAirlock, type SlackTestAirlock } from '../support/slack-airlock.js';

let t: SlackTestAirlock;
let globex: string;

beforeAll(async () => {
  t = await startSlackAirlock();
  globex = await t.agentAuth('globex', 'bot');
});
afterAll(() => t.close());
beforeEach(() => t.slack.reset());

const command = (text: string, user?: string, team?: string) => slashCommand(t, text, user, team);

const cardFor = (id: string) => t.slack.waitForCall('chat.postMessage', (c) => c.status === 200 && JSON.stringify(c.body.metadata ?? '').includes(id));
const adminEvents = async () => (await t.core.pool.query("SELECT kind, data FROM audit_events WHERE tenant_id = 'acme' AND kind IN ('admin_change', 'admin_refused') AND action_id IS NULL ORDER BY id")).rows;

describe('/airlock', () => {
  it('refuses a non-admin and audits the attempt', async () => {
    const before = (await adminEvents()).length;
    expect(await command('deny-tool send_email', 'U0LEAD1')).toContain('Only admins');
    const events = await adminEvents();
    expect(events).toHaveLength(before + 1);
    expect(events.at(-1)).toMatchObject({ kind: 'admin_refused', data: { admin: { user_id: 'U0LEAD1', team_id: 'T0ACME' } } });
    expect((await t.submit('read')).decision).toBe('allow');
  });

  it('answers /airlock ids for anyone with the workspace, channel and caller ids the policy needs', async () => {
    const reply = await command('ids', 'U0LEAD1');
    expect(reply).toMatch(/slack\.team_id`\): `T0ACME`/);
    expect(reply).toMatch(/slack\.channel`\): `\w+`/);
    expect(reply).toMatch(/admins\.slack`\): `U0LEAD1`/);
  });

  it('answers unknown commands and bad arguments with usage', async () => {
    expect(await command('frobnicate')).toContain('Usage');
    expect(await command('mode send_email sometimes')).toContain('Usage');
    expect(await command('deny-tool no_such_tool')).toContain('Unknown tool');
    expect(await command('help')).toContain('deny-tool');
  });

  it('deny-tool denies pending approvals at once, updates their cards, bumps the version and audits the admin; allow-tool lifts it', async () => {
    const pending = await t.submit('send_email', { args: { to: 'x@example.com', subject: 's' } });
    await cardFor(pending.id);
    const reply = await command('deny-tool send_email suspected prompt injection');
    expect(reply).toContain('1 pending approval(s) ended');
    const after = await t.get(pending.id);
    expect(after).toMatchObject({ status: 'denied', decision: 'deny' });
    expect(after.outcome_detail).toContain('suspected prompt injection');
    // Its audit event, owed by the change and written right after it, is built in SQL: the same fields, in the same order, as every other event of an action.
    const eventsOf = async (id: string) => (await t.core.pool.query("SELECT data::text AS text FROM audit_events WHERE action_id = $1 AND kind = 'admin_change'", [id])).rows;
    const ended = await waitFor(
      async () => {
        const e = await eventsOf(pending.id);
        return e.length > 0 && e;
      },
      { what: 'the ended approval’s audit event' },
    );
    expect(ended).toHaveLength(1);
    expect((await t.core.pool.query('SELECT count(*)::int AS n FROM audit_debts')).rows[0].n).toBe(0);
    const data = JSON.parse(ended[0].text);
    expect(Object.keys(data)).toEqual([...ACTION_AUDIT_KEYS, 'final_decision', 'reviewer', 'admin', 'cause', 'reason']);
    const stored = await t.core.actions.get('acme', pending.id);
    expect(data).toMatchObject({ ...JSON.parse(JSON.stringify(actionAuditFields(stored!))), final_decision: 'deny', reviewer: null, cause: 'deny-tool', reason: 'suspected prompt injection' });
    await t.slack.waitForCall('chat.update', (c) => JSON.stringify(c.body.blocks).includes('Denied'));
    const next = await t.submit('send_email', { args: { to: 'x@example.com', subject: 's' } });
    expect(next).toMatchObject({ decision: 'deny', rule: 'overrides.deny_tool' });
    expect(next.policy_version).not.toBe(pending.policy_version);
    expect((await adminEvents()).at(-1)).toMatchObject({
      kind: 'admin_change',
      data: { admin: { user_id: 'U0ADMIN' }, reason: 'suspected prompt injection', command: { kind: 'deny-tool', tool: 'send_email' } },
    });
    await command('allow-tool send_email');
    expect((await t.submit('send_email', { args: { to: 'x@example.com', subject: 's' } })).decision).toBe('queue_for_approval');
  });

  it('kill-agent denies the agent’s pending approvals and every new request; revive-agent restores it', async () => {
    const pending = await t.submit('refund', { args: { amount: 5 } });
    await command('kill-agent bot runaway loop');
    expect((await t.get(pending.id)).status).toBe('denied');
    expect((await t.submit('read')).rule).toBe('overrides.kill_agent');
    await command('revive-agent bot');
    expect((await t.submit('read')).decision).toBe('allow');
  });

  it('mode changes a tool’s runtime mode for the next request', async () => {
    await command('mode read observe');
    expect(await t.submit('read')).toMatchObject({ decision: 'constrain', mode: 'observe', rule: 'overrides.mode' });
    await command('mode read allow');
    expect((await t.submit('read')).decision).toBe('allow');
  });

  it('status and pending show incident state, denied tools, killed agents and the pending queue', async () => {
    const a = await t.submit('refund', { args: { amount: 5 } });
    await command('deny-tool quick_deny testing');
    const status = await command('status');
    expect(status).toContain('Incident mode: off');
    expect(status).toContain('`quick_deny` (testing)');
    expect(status).toMatch(/Killed agents: none/);
    expect(status).toMatch(/Pending approvals: \d+; oldest: \d+s/);
    // The fixture's quick_deny was due for review on 2020-01-01.
    expect(status).toContain('Policy review: 1 control of this tenant’s tools is past its review date');
    expect(await command('pending')).toContain(a.id);
    await command('allow-tool quick_deny');
  });

  it('runs an incident drill end to end', async () => {
    const waiting = await t.submit('send_email', { args: { to: 'x@example.com', subject: 's' } });
    const globexBefore = await t.submit('send_email', { args: { to: 'x@example.com', subject: 's' } }, globex);
    await cardFor(waiting.id);

    const on = await command('incident on credential leak');
    expect(on).toContain('Incident mode is on');
    // Pending non-low-risk approvals fall back and their cards say so; every reviewer channel is told.
    expect(await t.get(waiting.id)).toMatchObject({ status: 'decided', decision: 'fallback', mode: 'draft_write' });
    for (const channel of ['C0LEADS', 'C0FIN', 'C0ONCALL', 'C0SEC']) {
      await t.slack.waitForCall('chat.postMessage', (c) => c.body.channel === channel && String(c.body.text).includes('Incident mode is ON'));
    }
    expect(t.slack.calls('chat.postMessage').some((c) => c.body.channel === 'C0GLEADS' && String(c.body.text).includes('Incident'))).toBe(false);

    expect(await t.submit('send_email', { args: { to: 'x@example.com', subject: 's' } })).toMatchObject({ decision: 'fallback', mode: 'draft_write', rule: 'overrides.incident' });
    expect(await t.submit('read')).toMatchObject({ decision: 'allow' });
    // Another tenant is untouched.
    expect(await t.submit('send_email', { args: { to: 'x@example.com', subject: 's' } }, globex)).toMatchObject({ decision: 'queue_for_approval' });
    expect((await t.get(globexBefore.id, globex)).status).toBe('pending');
    expect(await command('status')).toContain('Incident mode: ON');

    expect(await command('incident off')).toContain('off');
    await t.slack.waitForCall('chat.postMessage', (c) => c.body.channel === 'C0LEADS' && String(c.body.text).includes('Incident mode is OFF'));
    const resumed = await t.submit('send_email', { args: { to: 'x@example.com', subject: 's' } });
    expect(resumed).toMatchObject({ decision: 'queue_for_approval', status: 'pending' });
    await cardFor(resumed.id);
  });

  it('the same changes are available from the CLI when chat is down', async () => {
    const env = { DATABASE_URL: t.db.url, POLICY_FILE: 'test/fixtures/approval-policy.yml', REDIS_URL: '', SLACK_BOT_TOKEN: '' };
    const denied = await runCli(['admin', '--tenant', 'acme', '--as', 'oncall-alice', 'deny-tool', 'refund', 'chat', 'is', 'down'], env);
    expect(denied.code).toBe(0);
    expect(denied.stdout).toContain('Denied refund for tenant acme');
    expect((await t.submit('refund', { args: { amount: 5 } })).rule).toBe('overrides.deny_tool');
    expect((await adminEvents()).at(-1)).toMatchObject({ data: { admin: { platform: 'cli', operator: 'oncall-alice' }, reason: 'chat is down' } });
    const status = await runCli(['admin', '--tenant', 'acme', 'status'], env);
    expect(status.stdout).toContain('Denied tools: refund (chat is down)');
    expect((await runCli(['admin', '--tenant', 'acme', 'allow-tool', 'refund'], env)).code).toBe(0);
    expect((await runCli(['admin', '--tenant', 'acme', 'bogus'], env)).code).toBe(1);
    const last = await t.submit('refund', { args: { amount: 5 } });
    expect(last).toMatchObject({ decision: 'queue_for_approval' });
  });

  it('audits a CLI admin command with both the name given by --as and the OS user who ran it', { timeout: 90_000 }, async () => {
    const env = { DATABASE_URL: t.db.url, POLICY_FILE: 'test/fixtures/approval-policy.yml', REDIS_URL: '', SLACK_BOT_TOKEN: '' };
    try {
      const r = await runCli(['admin', '--tenant', 'acme', '--as', 'oncall-bob', 'deny-tool', 'quick_deny', 'drill'], env);
      expect(r.code).toBe(0);
      expect((await adminEvents()).at(-1)).toMatchObject({ kind: 'admin_change', data: { admin: { platform: 'cli', operator: 'oncall-bob', os_user: userInfo().username } } });
    } finally {
      expect((await runCli(['admin', '--tenant', 'acme', 'allow-tool', 'quick_deny'], env)).code).toBe(0);
    }
    expect((await adminEvents()).at(-1)).toMatchObject({ data: { admin: { platform: 'cli', operator: userInfo().username, os_user: userInfo().username } } });
  });

  it('prints admin status with control and bidi characters in a typed reason made visible', { timeout: 90_000 }, async () => {
    const env = { DATABASE_URL: t.db.url, POLICY_FILE: 'test/fixtures/approval-policy.yml', REDIS_URL: '', SLACK_BOT_TOKEN: '' };
    try {
      expect((await runCli(['admin', '--tenant', 'acme', 'deny-tool', 'quick_deny', 'drill\u001b[2Jall', 'clear\u202e'], env)).code).toBe(0);
      const status = await runCli(['admin', '--tenant', 'acme', 'status'], env);
      expect(status.stdout).toContain('quick_deny (drill\\x1b[2Jall clear\\u202e)');
      expect(status.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    } finally {
      await runCli(['admin', '--tenant', 'acme', 'allow-tool', 'quick_deny'], env);
    }
  });
});
