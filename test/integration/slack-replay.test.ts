import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgSeenRequests, SLOT_MS } from '../../src/infra/postgres/seen-requests.js';
import { FakeSlackApi } from '../fakes/fake-slack-api.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { slashCommand } from '../support/slack-command.js';
import { approveClick, signedSlashCommand, slackHeaders } from '../support/slack-requests.js';
import { startSlackAirlock, type SlackTestAirlock } from '../support/slack-airlock.js';
import { waitFor } from '../support/wait-for.js';

/**
 * Slack signs a request with its timestamp, and a signature stays valid for 5
 * minutes: within them, a captured request could be sent again. Every signed
 * request is accepted once, by whichever process sees it first, and requests
 * dated in the future are refused like stale ones.
 */

let db: TestDatabase;
let slack: FakeSlackApi;
let t: SlackTestAirlock;

beforeAll(async () => {
  db = await createTestDatabase();
  slack = await FakeSlackApi.start({ emails: { U0LEAD1: 'lead1@acme.test', U0SAM: 'sam@acme.test' } });
  t = await startSlackAirlock({ db, slack });
});
afterAll(async () => {
  await t.close();
  await slack.close();
  await db.drop();
});

const send = (target: SlackTestAirlock, req: { body: string; headers: Record<string, string> }) =>
  target.app.inject({ method: 'POST', url: '/slack/events', headers: req.headers, payload: req.body });

describe('replayed and future-dated Slack requests', () => {
  it('refuses a replayed /airlock command, on another process and after a restart: a captured revive-agent cannot undo a later kill-agent', async () => {
    const revive = signedSlashCommand({ text: 'revive-agent bot', responseUrl: slack.responseUrl('revive-1') });
    expect((await send(t, revive)).statusCode).toBe(200);
    const first = await slack.waitForCall('response_url', (c) => c.body.response_id === 'revive-1');
    expect(String(first.body.text)).toContain('may act again');

    expect(await slashCommand(t, 'kill-agent bot compromised')).toContain('Killed agent');
    expect((await t.submit('read')).rule).toBe('overrides.kill_agent');

    // Replayed to the same process: acknowledged (Slack expects a 2xx), answered as already received, not run.
    const again = await send(t, revive);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('already received') });

    // Replayed to another process of the same database, started after this one stopped.
    await t.close();
    t = await startSlackAirlock({ db, slack, auth: t.auth });
    const replayed = await send(t, revive);
    expect(replayed.statusCode).toBe(200);
    expect(replayed.json().text).toContain('already received');

    expect((await t.submit('read')).rule).toBe('overrides.kill_agent');
    expect(slack.calls('response_url').filter((c) => c.body.response_id === 'revive-1')).toHaveLength(1);
    const revives = await t.core.pool.query("SELECT count(*)::int AS n FROM audit_events WHERE kind = 'admin_change' AND data::text LIKE '%revive-agent%'");
    expect(revives.rows[0].n).toBe(1);
    expect(await slashCommand(t, 'revive-agent bot')).toContain('may act again');
  });

  it('refuses a command dated more than 5 minutes ahead with 401, and runs nothing', async () => {
    const future = signedSlashCommand({ text: 'kill-agent bot', responseUrl: slack.responseUrl('future-1'), timestamp: Math.floor(Date.now() / 1000) + 6 * 60 });
    const res = await send(t, future);
    expect(res.statusCode).toBe(401);
    // Within the window either way is fine: Slack's clock may be a little ahead of ours.
    const ahead = signedSlashCommand({ text: 'status', responseUrl: slack.responseUrl('ahead-1'), timestamp: Math.floor(Date.now() / 1000) + 60 });
    expect((await send(t, ahead)).statusCode).toBe(200);
    await slack.waitForCall('response_url', (c) => c.body.response_id === 'ahead-1');
    expect(slack.calls('response_url').filter((c) => c.body.response_id === 'future-1')).toHaveLength(0);
    expect((await t.submit('read')).decision).toBe('allow');
  });

  it('refuses a replayed button click: one signed click is one review', async () => {
    const a = await t.submit('refund', { args: { amount: 10 } });
    await slack.waitForCall('chat.postMessage', (c) => c.status === 200 && JSON.stringify(c.body.metadata ?? '').includes(a.id));
    const body = new URLSearchParams({ payload: JSON.stringify(approveClick({ user: 'U0FIN1', actionId: a.id })) }).toString();
    const click = { body, headers: slackHeaders(body) };
    expect((await send(t, click)).statusCode).toBe(200);
    await waitFor(async () => (await t.get(a.id)).reviews?.length === 1, { what: 'the first approval' });
    const replay = await send(t, click);
    expect(replay.statusCode).toBe(200);
    expect(replay.body).toBe('');
    // A second, genuine click by another approver completes the quorum; the replay added nothing before it.
    const second = new URLSearchParams({ payload: JSON.stringify(approveClick({ user: 'U0FIN2', actionId: a.id })) }).toString();
    expect((await send(t, { body: second, headers: slackHeaders(second) })).statusCode).toBe(200);
    await waitFor(async () => (await t.get(a.id)).status === 'approved', { what: 'the quorum' });
    const reviews = await t.core.pool.query("SELECT count(*)::int AS n FROM audit_events WHERE action_id = $1 AND kind LIKE 'review%'", [a.id]);
    expect(reviews.rows[0].n).toBe(2);
    expect(slack.calls('chat.postEphemeral').filter((c) => String(c.body.text).includes('already approved'))).toHaveLength(0);
  });
});

describe('the record of requests seen', () => {
  it('empties only the slot that can hold nothing still valid, and keeps refusing replays in the live ones', async () => {
    const period = Math.floor(Date.now() / SLOT_MS);
    let now = new Date(period * SLOT_MS + 2 * 60_000);
    const seen = new PgSeenRequests(t.core.pool, { now: () => now });
    const digest = (n: number) => Buffer.alloc(32, n);
    // Signed in each period a request can still be valid in (p-1, p, p+1), and in p-2, long expired.
    const signed = (offset: number) => new Date((period + offset) * SLOT_MS + 30_000);
    for (const offset of [-2, -1, 0, 1]) expect(await seen.firstTime(digest(10 + offset), signed(offset))).toBe(true);
    expect(await seen.firstTime(digest(10), signed(0))).toBe(false);

    await seen.expire();
    for (const offset of [-1, 0, 1]) expect(await seen.firstTime(digest(10 + offset), signed(offset))).toBe(false);
    expect(await seen.firstTime(digest(8), signed(-2))).toBe(true);

    // Near a period's edge nothing is emptied: processes' clocks may differ by up to a minute.
    now = new Date((period + 1) * SLOT_MS + 10_000);
    await new PgSeenRequests(t.core.pool, { now: () => now }).expire();
    for (const offset of [-1, 0, 1]) expect(await seen.firstTime(digest(10 + offset), signed(offset))).toBe(false);
  });
});
