import { fork, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Action } from '../../src/domain/action.js';
import type { TeamsCardRef } from '../../adapters/teams/teams-platform.js';
import type { CardContent } from '../../src/ports/chat-platform.js';
import { approvalCard } from '../../src/domain/approval-card.js';
import { FakeBotFramework } from '../fakes/fake-bot-framework.js';
import { TEAMS_APP_ID, TEAMS_APP_PASSWORD } from '../support/teams-airlock.js';
import { createTestCa, type TestCa } from '../support/test-ca.js';
import { waitFor } from '../support/wait-for.js';
import { pendingAction } from '../support/action-fixture.js';

/**
 * The TeamsNotifier with the real botbuilder connector client, in a child
 * process that trusts the test CA (test/support/teams-notifier-child.ts),
 * against the fake Bot Framework's connector.
 */
let ca: TestCa;
let fake: FakeBotFramework;
let child: ChildProcess;
let nextId = 0;
const pending = new Map<number, (reply: { ok: boolean; value?: unknown; error?: { code?: string; retry?: boolean; message?: string } }) => void>();

function call<T>(method: string, ...args: unknown[]): Promise<{ ok: true; value: T } | { ok: false; error: { code?: string; retry?: boolean; message?: string } }> {
  const id = ++nextId;
  return new Promise((resolve) => {
    pending.set(id, resolve as never);
    child.send(JSON.stringify({ id, method, args }, (_key, value: unknown) => (value instanceof Map ? { __map: [...value] } : value)));
  });
}

beforeAll(async () => {
  ca = createTestCa();
  fake = await FakeBotFramework.start({ appId: TEAMS_APP_ID, appPassword: TEAMS_APP_PASSWORD, tls: ca });
  child = fork('test/support/teams-notifier-child.ts', [], {
    execArgv: ['--import', 'tsx'],
    env: {
      ...process.env,
      NODE_EXTRA_CA_CERTS: ca.caPath,
      TEAMS_APP_ID,
      TEAMS_APP_PASSWORD,
      TEAMS_OPENID_METADATA_URL: fake.openIdMetadataUrl,
      TEAMS_LOGIN_URL: fake.loginUrl(),
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let ready = false;
  child.on('message', (m: { id?: number; ready?: boolean }) => {
    if (m.ready) ready = true;
    if (m.id !== undefined) pending.get(m.id)?.(m as never);
  });
  await waitFor(() => ready, { timeoutMs: 30_000, what: 'the notifier child process' });
  await call('setServiceUrls', { acme: fake.serviceUrl('teams') });
}, 60_000);

afterAll(async () => {
  child?.kill();
  await fake?.close();
  ca?.remove();
});

beforeEach(() => fake.reset());

const action = (over: Partial<Action> = {}): Action =>
  pendingAction({
    id: 'act_teams_1',
    agent: 'bot',
    tool: 'send_email',
    args: { to: 'jane@example.com', subject: 'Refund', body: '[redacted]' },
    requester: { id: 'sam@acme.test' },
    effects: ['external_effect', 'irreversible'],
    reviewerGroup: 'leads',
    expiresAt: new Date('2030-01-01T10:00:00Z'),
    createdAt: new Date('2030-01-01T09:00:00Z'),
    ...over,
  });

const LEADS = { name: 'leads', maxPending: 500, chat: new Map([['teams', { place: '19:leads@thread.tacv2', users: ['aad-lead-1', 'aad-lead-2'] }]]) };

const content = (over: Partial<Action> = {}): CardContent => {
  const a = action(over);
  return { action: a, group: LEADS, card: approvalCard({ action: a, tool: undefined, group: LEADS }) };
};

describe('Teams notifier', () => {
  it('posts the card into the group’s conversation at the tenant’s service URL with the bot’s token', async () => {
    const res = await call<TeamsCardRef>('postCard', content());
    expect(res.ok).toBe(true);
    const ref = (res as { value: TeamsCardRef }).value;
    expect(ref).toMatchObject({ platform: 'teams', conversationId: '19:leads@thread.tacv2', serviceUrl: fake.serviceUrl('teams') });
    const sent = fake.calls('send')[0]!;
    expect(sent).toMatchObject({ conversationId: '19:leads@thread.tacv2', authorized: true, region: '/teams/' });
    expect(ref.activityId).toMatch(/^1700/);
    const card = sent.body.attachments[0];
    expect(card.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(card.content.version).toBe('1.5');
    // The shared card is read-only; the listed reviewers' clients refresh to their own view with buttons.
    expect(card.content.actions).toBeUndefined();
    expect(card.content.refresh.userIds).toEqual(['8:orgid:aad-lead-1', '8:orgid:aad-lead-2']);
    expect(fake.tokenRequests.every((r) => r.ok)).toBe(true);
    expect(fake.unexpected).toEqual([]);
  });

  it('updates the posted card in place', async () => {
    const ref: TeamsCardRef = { platform: 'teams', conversationId: '19:leads@thread.tacv2', activityId: '1700000000042', serviceUrl: fake.serviceUrl('teams') };
    const lead = { platform: 'teams', userId: 'aad-lead-1', teamId: 'aad-tenant', name: 'Lea Lead' };
    const at = new Date('2030-01-01T09:30:00Z');
    const decided = content({ status: 'approved', decidedAt: at, reviews: [{ reviewer: lead, decision: 'approve', at, round: 0, argsVersion: 1, argsSha256: 'h' }] });
    expect((await call('updateCard', ref, decided)).ok).toBe(true);
    const update = fake.calls('update')[0]!;
    expect(update).toMatchObject({ method: 'PUT', conversationId: '19:leads@thread.tacv2', activityId: '1700000000042', authorized: true });
    expect(JSON.stringify(update.body.attachments[0].content)).toContain('Approved');
    expect(update.body.attachments[0].content.actions).toBeUndefined();
  });

  it('posts reminders as replies in the card’s thread', async () => {
    const ref: TeamsCardRef = { platform: 'teams', conversationId: '19:leads@thread.tacv2', activityId: '1700000000042', serviceUrl: fake.serviceUrl('teams') };
    expect((await call('postReminder', ref, content())).ok).toBe(true);
    const reply = fake.calls('reply')[0]!;
    expect(reply).toMatchObject({ method: 'POST', conversationId: '19:leads@thread.tacv2', activityId: '1700000000042', authorized: true });
    expect(reply.body.text).toContain('Reminder');
    expect(reply.body.text).toContain('2030-01-01T10:00:00Z');
  });

  it('goes to the newest service URL of the tenant, not the one the card was posted at', async () => {
    await call('setServiceUrls', { acme: fake.serviceUrl('emea') });
    const ref: TeamsCardRef = { platform: 'teams', conversationId: '19:leads@thread.tacv2', activityId: '1700000000042', serviceUrl: fake.serviceUrl('teams') };
    expect((await call('updateCard', ref, content())).ok).toBe(true);
    expect(fake.calls('update')[0]!.region).toBe('/emea/');
    await call('setServiceUrls', { acme: fake.serviceUrl('teams') });
  });

  it('hands a 429 to the queue with its Retry-After instead of holding the worker', async () => {
    fake.failNext('send', { status: 429, retryAfter: 7 });
    const res = await call<TeamsCardRef>('postCard', content());
    expect(res).toMatchObject({ ok: false, error: { name: 'RateLimited', retry: true, message: expect.stringContaining('retry after 7 s') } });
    expect(fake.calls('send').map((c) => c.status)).toEqual([429]);
  });

  it('retries a 5xx, then succeeds', async () => {
    fake.failNext('update', { status: 503, times: 2 });
    const ref: TeamsCardRef = { platform: 'teams', conversationId: '19:leads@thread.tacv2', activityId: '1700000000042', serviceUrl: fake.serviceUrl('teams') };
    expect((await call('updateCard', ref, content())).ok).toBe(true);
    expect(fake.calls('update').map((c) => c.status)).toEqual([503, 503, 200]);
  });

  it('reports a 5xx that outlasts its retries as retryable, for the queue to try later', async () => {
    fake.failNext('send', { status: 502, times: 50 });
    const res = await call('postCard', content());
    expect(res).toMatchObject({ ok: false, error: { code: 'delivery_failed', retry: true } });
    // Four attempts in all (connector-retry.ts), not multiplied by the HTTP pipeline's own retries.
    expect(fake.calls('send')).toHaveLength(4);
    fake.reset();
  });

  it.each([
    [403, 'the bot was removed from the team'],
    [404, 'the conversation is gone'],
  ])('treats %i (%s) as permanent, without retrying', async (status) => {
    fake.failNext('send', { status, times: 5 });
    const res = await call('postCard', content());
    expect(res).toMatchObject({ ok: false, error: { code: 'delivery_failed', retry: false } });
    expect(fake.calls('send')).toHaveLength(1);
  });

  it('never sends the bot’s token to a plain-http service URL', async () => {
    await call('setServiceUrls', { acme: fake.serviceUrl('teams').replace('https:', 'http:') });
    const res = await call('postCard', content());
    expect(res).toMatchObject({ ok: false, error: { code: 'delivery_failed', retry: false } });
    expect(fake.calls()).toEqual([]);
    await call('setServiceUrls', { acme: fake.serviceUrl('teams') });
  });

  it('refuses a group without a Teams conversation as permanent', async () => {
    const c = content();
    c.group = { name: 'slack-only', maxPending: 500, chat: new Map([['slack', { place: 'C1', users: ['U1'] }]]) };
    expect(await call('postCard', c)).toMatchObject({ ok: false, error: { code: 'delivery_failed', retry: false } });
  });
});
