import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { slashCommand } from '../support/slack-command.js';
import { approveClick, postInteraction } from '../support/slack-requests.js';
import { startSlackAirlock, type SlackTestAirlock } from '../support/slack-airlock.js';
import { waitFor } from '../support/wait-for.js';

let t: SlackTestAirlock;
let secret: string;

beforeAll(async () => {
  // The callback receiver below listens on this machine: allowed as a deployment would allow an internal receiver.
  t = await startSlackAirlock({ env: { AIRLOCK_CALLBACK_ALLOW: '127.0.0.1' } });
  // A second key for the same agent name is refused; read the callback secret the first key got.
  secret = (await t.core.pool.query("SELECT callback_secret FROM agents WHERE tenant_id = 'acme' AND name = 'bot'")).rows[0].callback_secret;
});
afterAll(() => t.close());
beforeEach(() => t.slack.reset());

const cardFor = (id: string, channel?: string) =>
  t.slack.waitForCall('chat.postMessage', (c) => c.status === 200 && JSON.stringify(c.body.metadata ?? '').includes(id) && (!channel || c.body.channel === channel));
const postsFor = (id: string) => t.slack.calls('chat.postMessage').filter((c) => JSON.stringify(c.body.metadata ?? '').includes(id));
const blocksText = (c: { body: Record<string, unknown> }) => JSON.stringify(c.body.blocks);
const kinds = async (id: string) => (await t.core.pool.query('SELECT kind FROM audit_events WHERE action_id = $1 ORDER BY id', [id])).rows.map((r) => r.kind);
const until = async (id: string, status: string, timeoutMs = 8_000) =>
  waitFor(async () => {
    const a = await t.get(id);
    return a.status === status ? a : undefined;
  }, { timeoutMs, what: `status ${status}` });

describe('timeouts', () => {
  it('on_timeout fallback: expires into the safest mode', async () => {
    const a = await t.submit('quick_fallback');
    await cardFor(a.id);
    const expired = await until(a.id, 'expired');
    expect(expired).toMatchObject({ decision: 'fallback', mode: 'observe' });
    await t.slack.waitForCall('chat.update', (c) => blocksText(c).includes('fell back'));
  });

  it('on_timeout escalate: reminds, posts a new card to escalate_to once with a fresh deadline, then expires', async () => {
    const a = await t.submit('quick_escalate');
    const first = await cardFor(a.id, 'C0LEADS');
    await t.slack.waitForCall('chat.postMessage', (c) => c.body.thread_ts === first.body.ts ? true : false);
    const second = await cardFor(a.id, 'C0SEC');
    expect(second.body.channel).toBe('C0SEC');
    const escalated = await t.get(a.id);
    expect(escalated.status).toBe('pending');
    expect(new Date(escalated.expires_at).getTime()).toBeGreaterThan(Date.now());
    await t.slack.waitForCall('chat.update', (c) => c.body.channel === 'C0LEADS' && blocksText(c).includes('escalated'));
    const expired = await until(a.id, 'expired');
    expect(expired.decision).toBe('deny');
    expect((await kinds(a.id))).toEqual(expect.arrayContaining(['decision', 'escalated', 'expired']));
    expect(postsFor(a.id)).toHaveLength(2);
  });

  it('a reviewer in the escalation group can still decide', async () => {
    const a = await t.submit('quick_escalate');
    await cardFor(a.id, 'C0SEC');
    await postInteraction(t.app, approveClick({ user: 'U0SEC1', actionId: a.id }));
    await until(a.id, 'approved');
  });
});

describe('callbacks', () => {
  let receiver: Server;
  const received: { signature: string; body: string }[] = [];
  let failuresLeft = 2;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (failuresLeft > 0) {
          failuresLeft -= 1;
          res.writeHead(503).end();
          return;
        }
        received.push({ signature: String(req.headers['airlock-signature']), body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  });
  afterAll(() => new Promise<void>((r) => receiver.close(() => r())));

  it('delivers the decided action, signed, to a receiver that failed twice', async () => {
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/airlock?token=hidden`;
    const a = await t.submit('send_email', { args: { to: 'x@example.com', subject: 's' }, callback_url: url });
    await cardFor(a.id);
    await postInteraction(t.app, approveClick({ user: 'U0LEAD1', actionId: a.id }));
    const got = await waitFor(() => received.find((r) => r.body.includes(a.id)), { timeoutMs: 20_000, what: 'the callback' });
    const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(got.signature)!;
    expect(m).not.toBeNull();
    expect(createHmac('sha256', secret).update(`${m[1]}.${got.body}`).digest('hex')).toBe(m[2]);
    expect(JSON.parse(got.body)).toMatchObject({ id: a.id, status: 'approved', reviews: [expect.objectContaining({ decision: 'approve' })] });
    await waitFor(async () => (await kinds(a.id)).includes('callback_delivered'), { what: 'callback audit' });
    const audited = JSON.stringify((await t.core.pool.query('SELECT data FROM audit_events WHERE action_id = $1', [a.id])).rows);
    expect(audited).not.toContain('token=hidden');
  });

  it('calls back an approval an admin command ended once its audit event is written', async () => {
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/airlock`;
    const a = await t.submit('send_email', { args: { to: 'x@example.com', subject: 's' }, callback_url: url });
    await cardFor(a.id);
    await waitFor(async () => (await kinds(a.id)).includes('card_posted'), { what: 'the card’s audit event' });
    try {
      expect(await slashCommand(t, 'deny-tool send_email callbacks')).toContain('1 pending approval(s) ended');
      const got = await waitFor(() => received.find((r) => r.body.includes(a.id)), { timeoutMs: 20_000, what: 'the callback' });
      expect(JSON.parse(got.body)).toMatchObject({ id: a.id, status: 'denied', rule: 'overrides.deny_tool' });
      // The ended approval's event (owed by the change, written right after it) comes before the callback's.
      await waitFor(async () => (await kinds(a.id)).includes('callback_delivered'), { what: 'callback audit' });
      expect(await kinds(a.id)).toEqual(['decision', 'card_posted', 'admin_change', 'callback_delivered']);
    } finally {
      await slashCommand(t, 'allow-tool send_email');
    }
  });
});

describe('Slack failures', () => {
  it('retries 5xx with backoff', async () => {
    t.slack.failNext('chat.postMessage', { status: 500, times: 5 });
    const a = await t.submit('send_email', { args: { to: 'x@example.com', subject: 's' } });
    await waitFor(async () => (await t.core.pool.query("SELECT 1 FROM action_cards WHERE action_id = $1 AND state = 'posted'", [a.id])).rowCount === 1, { timeoutMs: 20_000, what: 'card posted after 5xx' });
    expect(postsFor(a.id).filter((c) => c.status === 500)).toHaveLength(5);
  });

  // A channel that is gone or that the bot left is shared with Teams (approval-conformance.ts); a revoked token is Slack's own.
  it('ends the action by its timeout rule at once when Slack says the token was revoked', async () => {
    const error = 'token_revoked';
    t.slack.failNext('chat.postMessage', { error, times: 10 });
    const a = await t.submit('quick_fallback');
    const ended = await until(a.id, 'expired', 5_000);
    expect(ended).toMatchObject({ decision: 'fallback', mode: 'observe' });
    expect(ended.outcome_detail).toContain(error);
    expect(await kinds(a.id)).toContain('card_failed');
    expect(postsFor(a.id)).toHaveLength(1);
  });
});
