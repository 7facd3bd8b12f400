import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelTokenOptions } from '../fakes/fake-bot-framework.js';
import { startStubServer } from '../support/stub-server.js';
import { ACME_AAD_TENANT, TEAMS_APP_ID, TEAMS_APP_PASSWORD, startTeamsAirlock, teamsActivity, type TeamsTestAirlock } from '../support/teams-airlock.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The real botbuilder in a real Airlock process (src/main/start.ts) against a
 * local fake Bot Framework over https (test/fakes/fake-bot-framework.ts).
 */
let t: TeamsTestAirlock;
beforeAll(async () => {
  t = await startTeamsAirlock();
}, 90_000);
afterAll(() => t?.close());

const query = async <R extends pg.QueryResultRow>(sql: string, params: unknown[] = []) => {
  const c = new pg.Client({ connectionString: t.db.url });
  await c.connect();
  try {
    return (await c.query<R>(sql, params)).rows;
  } finally {
    await c.end();
  }
};
const serviceUrlRows = () =>
  query<{ aad_tenant_id: string; service_url: string }>("SELECT workspace_id AS aad_tenant_id, url AS service_url FROM chat_endpoints WHERE platform = 'teams' ORDER BY workspace_id");

describe('Teams bot endpoint authentication', () => {
  const valid = (o: ChannelTokenOptions = {}) => ({ token: o });
  const cases: [string, (activity: Record<string, any>) => { header?: string | null; token?: ChannelTokenOptions }, ((a: Record<string, any>) => void)?][] = [
    ['no Authorization header', () => ({ header: null })],
    ['a malformed token', () => ({ header: 'Bearer not-a-jwt' })],
    ['another scheme', () => ({ header: `Basic ${Buffer.from(`${TEAMS_APP_ID}:${TEAMS_APP_PASSWORD}`).toString('base64')}` })],
    ['an unsigned token (alg none)', (a) => valid({ serviceUrl: a.serviceUrl, alg: 'none' })],
    ['a forged token (signed by an unpublished key under a real key id)', (a) => valid({ serviceUrl: a.serviceUrl, key: 'unpublished' })],
    ['a wrong issuer', (a) => valid({ serviceUrl: a.serviceUrl, iss: 'https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/' })],
    ['a wrong audience', (a) => valid({ serviceUrl: a.serviceUrl, aud: 'some-other-bot' })],
    ['an expired token', (a) => valid({ serviceUrl: a.serviceUrl, expiresIn: -3600 })],
    ['a token valid for hours more than Bot Framework issues them for', (a) => valid({ serviceUrl: a.serviceUrl, expiresIn: 6 * 3600 })],
    ['a key endorsed for another channel only', (a) => valid({ serviceUrl: a.serviceUrl, key: 'webchat' })],
    ['a key published without endorsements', (a) => valid({ serviceUrl: a.serviceUrl, key: 'bare' })],
    ['a serviceurl claim that differs from the activity', () => valid({ serviceUrl: 'https://attacker.example/teams/' })],
    ['no serviceurl claim', () => valid({ serviceUrl: null })],
    ['an activity from another channel', (a) => valid({ serviceUrl: a.serviceUrl }), (a) => (a.channelId = 'webchat')],
  ];

  it.each(cases)('refuses %s with 401 and processes nothing', async (_name, auth, mutate) => {
    const action = await t.submit('send_email', { args: { to: 'jane@example.com', subject: 'Refund' } });
    t.fake.reset();
    const activity = teamsActivity('invoke-approve', t.fake, { actionId: action.id, region: 'refused' });
    mutate?.(activity);
    const res = await t.send(activity, auth(activity));
    expect(res.status).toBe(401);
    expect(res.body).toBeUndefined();
    expect((await t.get(action.id)).status).toBe('pending');
    expect(t.fake.calls()).toEqual([]);
    expect((await serviceUrlRows()).map((r) => r.service_url)).not.toContain(t.fake.serviceUrl('refused'));
  });

  it('refuses a validly signed activity whose serviceUrl is plain http, and never sends the bot its token there', async () => {
    // Whatever listens at the http URL would read the bot's access token off the wire.
    const listener = await startStubServer((_req, res) => res.writeHead(201, { 'content-type': 'application/json' }).end('{"id":"1"}'));
    try {
      const activity = teamsActivity('message-admin-command', t.fake, { text: '<at>Airlock</at> status' });
      activity.serviceUrl = `${listener.url}/teams/`;
      const res = await t.send(activity);
      expect(res.status).toBe(401);
      // A click through an http serviceUrl decides nothing either.
      const a = await t.submit('send_email', { args: { to: 'jane@example.com', subject: 'Refund' } });
      const click = teamsActivity('invoke-approve', t.fake, { actionId: a.id });
      click.serviceUrl = `${listener.url}/teams/`;
      expect((await t.send(click)).status).toBe(401);
      expect((await t.get(a.id)).status).toBe('pending');
      expect(listener.requests).toEqual([]);
      expect((await serviceUrlRows()).map((r) => r.service_url)).not.toContain(`${listener.url}/teams/`);
    } finally {
      await listener.close();
    }
  });

  it('refuses a body that is not JSON with 401, even with a valid token', async () => {
    const res = await fetch(`${t.base}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${t.fake.channelToken({ serviceUrl: t.fake.serviceUrl() })}` },
      body: 'approve everything',
    });
    expect(res.status).toBe(401);
  });

  it('never asks Microsoft anything: keys, login and connector are the configured ones', () => {
    expect(t.fake.unexpected).toEqual([]);
    expect(t.output()).not.toMatch(/login\.microsoftonline\.com|botframework\.com\/v1/);
  });
});

describe('Teams card clicks', () => {
  // What a click decides is shared with Slack (approval-conformance.ts); Teams' own part is the answer to the invoke.
  it('answers a click with the updated card itself, without redacted arguments, and updates the posted message for everyone', async () => {
    const a = await t.submit('send_email', { args: { to: 'jane@example.com', subject: 'Refund', body: 'the secret body' } });
    t.fake.reset();
    const res = await t.send(teamsActivity('invoke-approve', t.fake, { actionId: a.id }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: { type: 'AdaptiveCard', version: '1.5' } });
    const card = JSON.stringify(res.body.value);
    expect(card).toContain('Approved');
    expect(card).not.toContain('the secret body');
    expect(res.body.value.actions?.some((x: { type: string }) => x.type === 'Action.Execute')).toBeFalsy();
    // The reviewer's UPN comes from the connector's member lookup, made with the bot's token.
    expect(t.fake.calls('member')[0]).toMatchObject({ conversationId: '19:leads@thread.tacv2', userId: '29:1lead1pairwiseXk4mE8yZ3wF0qJ9sR2tU5vB7nC6dA1', authorized: true });

    // This action's card (the first activity the fake created); another action's card may be updated meanwhile.
    const update = await t.fake.waitForCall('update', (c) => c.activityId === '1700000000001');
    expect(update).toMatchObject({ conversationId: '19:leads@thread.tacv2;messageid=1700000000001', activityId: '1700000000001', authorized: true });
    expect(JSON.stringify(update.body.attachments[0].content)).toContain('Approved');
  });

  it('refuses a deny without a reason and decides nothing', async () => {
    const a = await t.submit('send_email', { args: { to: 'jane@example.com', subject: 'Refund' } });
    const activity = teamsActivity('invoke-deny', t.fake, { actionId: a.id });
    delete activity.value.action.data['airlock.denyReason'];
    const res = await t.send(activity);
    expect(res.body).toEqual({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'A reason is required to deny.' });
    expect((await t.get(a.id)).status).toBe('pending');
  });

  it('shows listed reviewers their own view with buttons on refresh, and anyone else a read-only card', async () => {
    const a = await t.submit('send_email', { args: { to: 'jane@example.com', subject: 'Refund' } });
    const reviewer = await t.send(teamsActivity('invoke-refresh', t.fake, { actionId: a.id }));
    const titles = (reviewer.body.value.actions as { title: string }[]).map((x) => x.title);
    expect(titles).toEqual(['Approve', 'Deny', 'Approve with changes']);
    expect(reviewer.body.value.refresh.userIds).toEqual(['8:orgid:aad-lead-1', '8:orgid:aad-lead-2']);
    const other = await t.send(teamsActivity('invoke-refresh', t.fake, { actionId: a.id, from: { id: '29:outsider', aadObjectId: 'aad-outsider' } }));
    expect(other.body.value.actions).toBeUndefined();
    expect((await t.get(a.id)).status).toBe('pending');
  });
});

describe('Teams service URL', () => {
  it('keeps the newest serviceUrl each tenant’s authenticated activities came from, in Postgres', async () => {
    const a = await t.submit('send_email', { args: { to: 'jane@example.com', subject: 'Refund' } });
    await t.send(teamsActivity('invoke-refresh', t.fake, { actionId: a.id, region: 'emea' }));
    await waitFor(async () => (await serviceUrlRows()).find((r) => r.aad_tenant_id === ACME_AAD_TENANT && r.service_url === t.fake.serviceUrl('emea')), { what: 'the emea service URL' });
    await t.send(teamsActivity('invoke-refresh', t.fake, { actionId: a.id, region: 'amer' }));
    await waitFor(async () => (await serviceUrlRows()).find((r) => r.aad_tenant_id === ACME_AAD_TENANT && r.service_url === t.fake.serviceUrl('amer')), { what: 'the amer service URL' });
    // An AAD tenant the policy does not know leaves nothing behind.
    await t.send(teamsActivity('invoke-refresh', t.fake, { actionId: a.id, tenant: 'aad-tenant-nobody' }));
    expect((await serviceUrlRows()).map((r) => r.aad_tenant_id)).not.toContain('aad-tenant-nobody');
  });
});

describe('Teams admin commands', () => {
  it('answers @Airlock status from an admin as a reply in the same conversation', async () => {
    t.fake.reset();
    const command = teamsActivity('message-admin-command', t.fake);
    const res = await t.send(command);
    expect(res.status).toBe(200);
    const reply = await t.fake.waitForCall('reply');
    expect(reply).toMatchObject({ conversationId: '19:leads@thread.tacv2;messageid=1700000000777', activityId: command.id, authorized: true });
    expect(reply.body.text).toContain('Airlock status for acme');
  });

  it('makes bidi controls and zero-width characters visible in what a reply echoes back', async () => {
    t.fake.reset();
    await t.send(teamsActivity('message-admin-command', t.fake, { text: '<at>Airlock</at> kill\u202Eagent\u200B' }));
    const reply = await t.fake.waitForCall('reply');
    expect(reply.body.text).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200B]/);
    expect(reply.body.text).toContain('kill[U+202E]agent[U+200B]');
  });

  it('refuses admin commands from anyone not in admins.teams', async () => {
    t.fake.reset();
    await t.send(teamsActivity('message-admin-command', t.fake, { from: { id: '29:1lead1pairwiseXk4mE8yZ3wF0qJ9sR2tU5vB7nC6dA1', aadObjectId: 'aad-lead-1' }, text: '<at>Airlock</at> incident on' }));
    const reply = await t.fake.waitForCall('reply');
    expect(reply.body.text).toContain('Only admins of tenant acme');
  });

  it('answers @Airlock ids for anyone with the conversation, AAD tenant and caller ids', async () => {
    t.fake.reset();
    await t.send(teamsActivity('message-admin-command', t.fake, { from: { id: '29:new', aadObjectId: 'aad-newcomer' }, text: '<at>Airlock</at> ids' }));
    const reply = await t.fake.waitForCall('reply');
    expect(reply.body.text).toContain('Conversation id: 19:leads@thread.tacv2');
    expect(reply.body.text).toContain(`AAD tenant id: ${ACME_AAD_TENANT}`);
    expect(reply.body.text).toContain('Your AAD object id: aad-newcomer');
  });

  it('ignores messages that do not mention the bot', async () => {
    t.fake.reset();
    const activity = teamsActivity('message-admin-command', t.fake, { text: 'status' });
    activity.entities = [];
    expect((await t.send(activity)).status).toBe(200);
    expect(t.fake.calls('reply')).toEqual([]);
  });
});

describe('Teams bot token', () => {
  it('logs in at the configured https authority and sends its token on every connector call', () => {
    expect(t.fake.tokenRequests.length).toBeGreaterThan(0);
    expect(t.fake.tokenRequests.every((r) => r.ok && r.scope === 'https://api.botframework.com/.default')).toBe(true);
  });

  it('never logs the app password or a token', () => {
    const out = t.output();
    expect(out).not.toContain(TEAMS_APP_PASSWORD);
    expect(out).not.toContain('fake-bot-token-');
    expect(out).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./);
  });
});
