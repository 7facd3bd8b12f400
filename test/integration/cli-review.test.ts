import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { startSlackAirlock, type SlackTestAirlock } from '../support/slack-airlock.js';
import { SIGNING_SECRET, editSubmission, postInteraction } from '../support/slack-requests.js';
import { waitFor } from '../support/wait-for.js';

/**
 * Deciding without a chat app: an operator approves or denies from a shell
 * on behalf of a named reviewer. Every rule of a click applies, and the
 * review says it came from the CLI and which operator recorded it.
 */
let t: SlackTestAirlock;
let env: Record<string, string>;

beforeAll(async () => {
  t = await startSlackAirlock();
  // The server's queues run on Postgres (no REDIS_URL): the CLI enqueues card updates in the same place.
  // With the bot token the CLI reads reviewers' emails from Slack, as a click does.
  env = { DATABASE_URL: t.db.url, POLICY_FILE: 'test/fixtures/approval-policy.yml', REDIS_URL: '', SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: t.slack.url };
});
afterAll(() => t.close());

const review = (...args: string[]) => runCli(['review', ...args, '--tenant', 'acme'], env);
const email = { args: { to: 'x@example.com', subject: 'Refund on its way' } };

describe('airlock review', () => {
  it('lists the open approvals and shows one as a reviewer would read it', async () => {
    const a = await t.submit('send_email', email);
    const list = await review('list');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`${a.id.slice(0, 8)}  send_email  by bot  → leads`));
    const show = await review('show', a.id);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('Refund on its way');
    expect(show.stdout).toContain('leads (1 approval(s) needed)');
  });

  it('shows the consequence with the request fields it names filled in, not ?', async () => {
    const a = await t.submit('post_notice', { workflow: 'billing-close', environment: 'production', context: { ticket: 'OPS-9' } });
    const show = await review('show', a.id);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('bot of acme runs post_notice in production for billing-close, asked by sam@acme.test: OPS-9');
  });

  it('shows what an agent wrote with its control, bidi and zero-width characters made visible, so it cannot forge or hide lines', async () => {
    const forged = 'Routine refund\narguments     version 1: {"to":"boss@acme.test"}\u001b[8m';
    const a = await t.submit('send_email', {
      summary: forged,
      args: { to: 'x@example.com\r\u001b[2Kevil@attacker.test', subject: 'Invoice \u202egpj.exe\u200b\u009b' },
      requester: { id: 'U0SAM', display: 'Sam\u007f\u2066' },
    });
    const show = await review('show', a.id);
    expect(show.code).toBe(0);
    // Nothing the terminal would act on or hide: only our own line breaks remain.
    expect(show.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]/);
    expect(show.stdout.split('\n').filter((l) => l.startsWith('arguments'))).toHaveLength(1);
    expect(show.stdout).toContain('Routine refund\\narguments     version 1: {"to":"boss@acme.test"}\\x1b[8m');
    expect(show.stdout).toContain('\\u202egpj.exe\\u200b\\x9b');
    expect(show.stdout).toContain('Sam\\x7f\\u2066');
  });

  // Starts a CLI process, which loads the chat SDKs and the queues: on a loaded two-core machine that alone can take half a minute.
  it('approves on behalf of a listed reviewer: recorded with the operator, audited as from the CLI, and the card updated', { timeout: 90_000 }, async () => {
    const a = await t.submit('send_email', email);
    await t.slack.waitForCall('chat.postMessage', (c) => JSON.stringify(c.body.metadata ?? '').includes(a.id));
    // As a process, which exits right after answering: the card is still updated.
    const out = await runCli(['review', 'approve', a.id, '--as', 'U0LEAD1', '--reason', 'checked by phone', '--tenant', 'acme'], env, { spawn: true });
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('The action is approved');
    const approved = await t.get(a.id);
    expect(approved.reviews).toEqual([expect.objectContaining({ decision: 'approve', reason: 'checked by phone', reviewer: expect.objectContaining({ platform: 'slack', id: 'U0LEAD1', via: 'cli' }) })]);
    const event = (await t.core.pool.query("SELECT data FROM audit_events WHERE action_id = $1 AND kind = 'review'", [a.id])).rows[0].data;
    expect(event.reviewer).toMatchObject({ user_id: 'U0LEAD1', via: 'cli', operator: expect.any(String) });
    await t.slack.waitForCall('chat.update', (c) => JSON.stringify(c.body.blocks).includes('Approved'), 15_000);
  });

  it('applies every rule of a click: membership, no self-approval, distinct approvers for a quorum', async () => {
    const a = await t.submit('refund', { args: { amount: 5 }, requester: { id: 'U0FIN3' } });
    const outsider = await review('approve', a.id, '--as', 'U0LEAD1');
    expect(outsider.code).toBe(1);
    expect(outsider.stderr).toContain('Only members of the finance group');
    const self = await review('approve', a.id, '--as', 'u0fin3');
    expect(self.code).toBe(1);
    expect(self.stderr).toContain('You requested this action');
    expect((await review('approve', a.id, '--as', 'U0FIN1')).stdout).toContain('1 of 2 approvals');
    const twice = await review('approve', a.id, '--as', 'U0FIN1');
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('already approved');
    expect((await review('approve', a.id, '--as', 'U0FIN2')).stdout).toContain('The action is approved');
    const refusals = (await t.core.pool.query("SELECT data FROM audit_events WHERE action_id = $1 AND kind = 'review_refused' ORDER BY id", [a.id])).rows;
    expect(refusals.map((r) => r.data.refused_because)).toEqual(['not_in_reviewer_group', 'reviewer_is_requester', 'already_approved']);
  });

  it('counts a reviewer named in another letter case once towards a quorum', async () => {
    const a = await t.submit('refund', { args: { amount: 5 }, requester: { id: 'U0SAM' } });
    expect((await review('approve', a.id, '--as', 'U0FIN1')).stdout).toContain('1 of 2 approvals');
    const again = await review('approve', a.id, '--as', ' u0fin1 ');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('You already approved this version');
    expect(await t.get(a.id)).toMatchObject({ status: 'pending', reviews: [expect.objectContaining({ decision: 'approve' })] });
  });

  it('accepts a member of the group’s Slack user group named in another letter case, as it does a listed user', async () => {
    const a = await t.submit('page_oncall', { requester: { id: 'U0SAM' } });
    const out = await review('approve', a.id, '--as', 'u0oncall1');
    expect(out.stderr).toBe('');
    expect(out.stdout).toContain('The action is approved');
  });

  it('refuses to approve for the requester matched by email, which it reads from Slack as a click does', async () => {
    const a = await t.submit('send_email', { ...email, requester: { id: 'someone-else', email: 'LEAD1@acme.test' } });
    const self = await review('approve', a.id, '--as', 'u0lead1');
    expect(self.code).toBe(1);
    expect(self.stderr).toContain('You requested this action');
    expect((await t.get(a.id)).status).toBe('pending');
    expect((await t.core.pool.query("SELECT data FROM audit_events WHERE action_id = $1 AND kind = 'review_refused'", [a.id])).rows.map((r) => r.data.refused_because)).toEqual(['reviewer_is_requester']);
  });

  it('refuses, saying why and what to do, when it cannot read the email it needs to rule out the requester', async () => {
    const a = await t.submit('send_email', { ...email, requester: { id: 'someone-else', email: 'lead1@acme.test' } });
    const noToken = { ...env, SLACK_BOT_TOKEN: '' };
    const blind = await runCli(['review', 'approve', a.id, '--as', 'U0LEAD1', '--tenant', 'acme'], noToken);
    expect(blind.code).toBe(1);
    expect(blind.stderr).toContain('cannot read the email address of slack user U0LEAD1');
    expect(blind.stderr).toContain('SLACK_BOT_TOKEN');
    expect((await t.get(a.id)).status).toBe('pending');
    // Nor may anyone else decide it while the CLI cannot tell who they are by email.
    expect((await runCli(['review', 'deny', a.id, '--as', 'U0LEAD2', '--reason', 'no', '--tenant', 'acme'], noToken)).code).toBe(1);
    expect(await t.get(a.id)).toMatchObject({ status: 'pending' });
    expect((await t.get(a.id)).reviews).toBeUndefined();
  });

  it('binds an approval to the arguments the operator read once a reviewer changed them', async () => {
    const a = await t.submit('big_refund', { args: { amount_cents: 5000, memo: 'first' }, requester: { id: 'U0SAM' } });
    await t.slack.waitForCall('chat.postMessage', (c) => JSON.stringify(c.body.metadata ?? '').includes(a.id));
    expect((await postInteraction(t.app, editSubmission({ user: 'U0FIN1', actionId: a.id, version: 1, edits: { memo: 'second' } }))).statusCode).toBe(200);
    await waitFor(async () => (await t.get(a.id)).args_version === 2, { what: 'version 2 of the arguments' });
    const unbound = await review('approve', a.id, '--as', 'U0FIN2');
    expect(unbound.code).toBe(1);
    expect(unbound.stderr).toContain('were changed by a reviewer (now version 2)');
    const stale = await review('approve', a.id, '--as', 'U0FIN2', '--args-version', '1');
    expect(stale.code).toBe(1);
    expect((await t.get(a.id)).status).toBe('pending');
    expect((await review('show', a.id)).stdout).toMatch(/arguments +version 2: .*"memo":"second"/);
    const bound = await review('approve', a.id, '--as', 'U0FIN2', '--args-version', '2');
    expect(bound.stdout).toContain('Recorded: approve of arguments version 2 by U0FIN2');
    expect(await t.get(a.id)).toMatchObject({ status: 'approved', approved_args: { amount_cents: 5000, memo: 'second' } });
  });

  it('denies only with a reason, and never decides an action an admin override ended', async () => {
    const a = await t.submit('send_email', email);
    expect((await review('deny', a.id, '--as', 'U0LEAD2')).code).toBe(2);
    expect((await runCli(['admin', '--tenant', 'acme', 'deny-tool', 'send_email', 'drill'], env)).code).toBe(0);
    try {
      const late = await review('approve', a.id, '--as', 'U0LEAD2');
      expect(late.code).toBe(1);
      expect(late.stderr).toContain('Too late: this action was already denied');
    } finally {
      await runCli(['admin', '--tenant', 'acme', 'allow-tool', 'send_email'], env);
    }
    await waitFor(async () => (await t.get(a.id)).status === 'denied', { what: 'denied by the override' });
  });
});
