import { createHmac } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadEnv } from '../../src/config/env.js';
import { FakeSlackApi, type InstallGrant } from '../fakes/fake-slack-api.js';
import { startSlackAirlock, type SlackTestAirlock } from '../support/slack-airlock.js';
import { slashCommand } from '../support/slack-command.js';
import { runCli } from '../support/run-cli.js';
import { SIGNING_SECRET, approveClick, fixture, postInteraction, slackHeaders } from '../support/slack-requests.js';
import { waitFor } from '../support/wait-for.js';

const CLIENT_ID = '1111.2222';
const CLIENT_SECRET = 'test-client-secret-0123456789abcdef';
const STATE_SECRET = 'test-state-secret-0123456789abcdef0123456789';
const PUBLIC_URL = 'https://airlock.test/';
const STATE_COOKIE = 'slack-app-oauth-state';

const ACME: InstallGrant = { team: { id: 'T0ACME', name: 'Acme' }, installer: 'U0ADMIN' };
const GLOBEX: InstallGrant = { team: { id: 'T0GLOBEX', name: 'Globex' } };
const INITECH_ORG: InstallGrant = { enterprise: { id: 'E0INI', name: 'Initech Group' }, isEnterpriseInstall: true, orgTeams: ['T0INIONE', 'T0INITWO'] };

let t: SlackTestAirlock;
const auth: Record<string, string> = {};

beforeAll(async () => {
  const slack = await FakeSlackApi.start({ oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }, emails: { U0ADMIN: 'admin@acme.test' } });
  t = await startSlackAirlock({
    slack,
    policyFile: 'test/fixtures/slack-workspaces-policy.yml',
    // No SLACK_BOT_TOKEN (an empty value is unset): every workspace brings its own installation.
    env: { SLACK_BOT_TOKEN: '', SLACK_CLIENT_ID: CLIENT_ID, SLACK_CLIENT_SECRET: CLIENT_SECRET, SLACK_STATE_SECRET: STATE_SECRET, PUBLIC_URL },
  });
  auth.acme = t.auth;
  for (const tenant of ['globex', 'initech', 'initrode']) auth[tenant] = await t.agentAuth(tenant, 'bot');
});
afterAll(async () => {
  await t.close();
  await t.slack.close();
});
beforeEach(() => t.slack.reset());

/** The install page, as a browser gets it: the state cookie it sets and where its "Add to Slack" link goes. */
async function installPage() {
  const page = await t.app.inject({ method: 'GET', url: '/slack/install' });
  expect(page.statusCode).toBe(200);
  expect(page.headers['content-type']).toMatch(/^text\/html/);
  expect(page.body).toContain('Add to Slack');
  const setCookie = [page.headers['set-cookie']].flat().find((c) => c?.startsWith(`${STATE_COOKIE}=`));
  expect(setCookie).toMatch(/HttpOnly/);
  const cookie = setCookie!.split(';')[0]!;
  const href = /href="([^"]+)"/.exec(page.body)?.[1]?.replaceAll('&amp;', '&');
  expect(href?.startsWith(t.slack.authorizeUrl)).toBe(true);
  return { cookie, href: href! };
}

/** Slack's authorize page (the fake allows at once): where it sends the browser back to. */
async function visitSlack(href: string): Promise<URL> {
  const answer = await fetch(href, { redirect: 'manual' });
  expect(answer.status).toBe(302);
  const back = new URL(answer.headers.get('location')!);
  expect(`${back.origin}${back.pathname}`).toBe(new URL('/slack/oauth_redirect', PUBLIC_URL).toString());
  return back;
}

const redirect = (back: URL, cookie?: string) =>
  t.app.inject({ method: 'GET', url: `${back.pathname}${back.search}`, headers: cookie ? { cookie } : {} });

/** The whole install, driven as a browser drives it: install page → Slack → back with code, state and the cookie. */
async function install(grant: InstallGrant): Promise<LightMyRequestResponse> {
  t.slack.grantNextInstall(grant);
  const { cookie, href } = await installPage();
  return redirect(await visitSlack(href), cookie);
}

const submit = async (tenant: string) => {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/actions',
    headers: { authorization: auth[tenant]! },
    payload: { tool: 'send_email', args: { to: `${tenant}@example.com` }, requester: { id: 'U0SAM' }, environment: 'production' },
  });
  expect(res.statusCode).toBe(201);
  return res.json() as { id: string; status: string };
};

const cardOf = (id: string) => t.slack.waitForCall('chat.postMessage', (c) => c.status === 200 && JSON.stringify(c.body.metadata ?? '').includes(id));
const auditKinds = async (id: string) => (await t.core.pool.query<{ kind: string }>('SELECT kind FROM audit_events WHERE action_id = $1 ORDER BY id', [id])).rows.map((r) => r.kind);
const readyz = async () => (await t.app.inject({ method: 'GET', url: '/readyz' })).json() as { not_installed?: Record<string, string[]> };

/** A signed Events API request, as Slack sends app_uninstalled and tokens_revoked. */
const postEvent = (payload: unknown) => {
  const body = JSON.stringify(payload);
  return t.app.inject({ method: 'POST', url: '/slack/events', headers: slackHeaders(body, { contentType: 'application/json' }), payload: body });
};

describe('Slack across workspaces', () => {
  it('installs into a workspace through /slack/install and Slack’s authorize page, as a browser does', async () => {
    const done = await install(ACME);
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('Acme');
    expect(done.body).toContain('T0ACME');
    // Slack was asked for exactly the manifest's bot scopes, with the redirect URL under PUBLIC_URL.
    const visit = t.slack.calls('oauth.authorize')[0]!;
    expect(visit.body.client_id).toBe(CLIENT_ID);
    expect(visit.body.redirect_uri).toBe(`${PUBLIC_URL}slack/oauth_redirect`);
    expect(String(visit.body.scope).split(',')).toContain('chat:write');
    expect(t.slack.calls('oauth.v2.access')).toHaveLength(1);
    const rows = await t.core.pool.query("SELECT workspace_id, org_wide FROM chat_installations WHERE platform = 'slack' AND workspace_id = 'T0ACME'");
    expect(rows.rows).toEqual([{ workspace_id: 'T0ACME', org_wide: false }]);
  });

  it('posts, updates and answers each tenant’s cards with the token of its own workspace', async () => {
    await install(ACME);
    await install(GLOBEX);
    const acmeToken = t.slack.tokenOf('T0ACME');
    const globexToken = t.slack.tokenOf('T0GLOBEX');
    expect(acmeToken).not.toBe(globexToken);

    const a = await submit('acme');
    const g = await submit('globex');
    expect((await cardOf(a.id)).token).toBe(acmeToken);
    expect((await cardOf(g.id)).token).toBe(globexToken);
    expect((await cardOf(a.id)).body.channel).toBe('C0ACME');

    // A click by someone outside the group: the ephemeral refusal goes out with the clicking workspace's token.
    const refused = await postInteraction(t.app, approveClick({ user: 'U0STRANGER', team: 'T0GLOBEX', actionId: g.id, version: 1 }));
    expect(refused.statusCode).toBe(200);
    expect((await t.slack.waitForCall('chat.postEphemeral', (c) => c.body.user === 'U0STRANGER')).token).toBe(globexToken);

    // An approval updates the card in place, with the token of the tenant's workspace.
    await postInteraction(t.app, approveClick({ user: 'U0LEAD1', team: 'T0ACME', actionId: a.id, version: 1 }));
    const update = await t.slack.waitForCall('chat.update', (c) => c.body.channel === 'C0ACME');
    expect(update.token).toBe(acmeToken);
    expect(t.slack.calls().filter((c) => c.token !== undefined && c.token !== acmeToken && c.token !== globexToken)).toEqual([]);

    // Each clicker's email was read in their own workspace; so is an admin's for /airlock.
    const emailReads = () => Object.fromEntries(t.slack.calls('users.info').map((c) => [String(c.body.user), c.token]));
    expect(emailReads()).toEqual({ U0STRANGER: globexToken, U0LEAD1: acmeToken });
    expect(await slashCommand(t, 'status', 'U0ADMIN', 'T0ACME')).toContain('Airlock status for acme');
    expect(emailReads().U0ADMIN).toBe(acmeToken);
  });

  it('serves two workspaces of an Enterprise Grid organisation with its one organisation-wide install', async () => {
    const done = await install(INITECH_ORG);
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('Initech Group');
    const orgToken = t.slack.tokenOf('E0INI');
    const one = await submit('initech');
    const two = await submit('initrode');
    const cards = [await cardOf(one.id), await cardOf(two.id)];
    expect(cards.map((c) => [c.body.channel, c.token])).toEqual([
      ['C0INIONE', orgToken],
      ['C0INITWO', orgToken],
    ]);
  });

  it('holds the cards of a tenant whose workspace uninstalled the app, and nothing else, and says so in /readyz and the admin status', async () => {
    for (const grant of [ACME, GLOBEX, INITECH_ORG]) await install(grant);
    expect((await readyz()).not_installed).toBeUndefined();
    const uninstall = fixture('event-app-uninstalled', { TEAM_ID: 'T0GLOBEX', BOT_USER_ID: 'U0BOTT0GLOBEX', EVENT_ID: 'Ev0UNINSTALL1' });
    expect((await postEvent(uninstall)).statusCode).toBe(200);
    await waitFor(async () => (await readyz()).not_installed?.slack?.includes('globex'), { what: 'globex listed as not installed' });
    expect((await readyz()).not_installed?.slack).toEqual(['globex']);

    const g = await submit('globex');
    const a = await submit('acme');
    await cardOf(a.id);
    await waitFor(async () => (await auditKinds(g.id)).includes('card_held'), { what: 'the held card recorded' });
    // Held, not ended: the action waits for its deadline as usual, and no card went to the uninstalled workspace.
    expect((await t.get(g.id, auth.globex)).status).toBe('pending');
    expect(await auditKinds(g.id)).not.toContain('card_failed');
    expect(t.slack.calls('chat.postMessage').filter((c) => c.body.channel === 'C0GLOBEX')).toEqual([]);
    const held = await t.core.pool.query("SELECT state FROM action_cards WHERE action_id = $1 AND platform = 'slack'", [g.id]);
    expect(held.rows).toEqual([{ state: 'held' }]);

    // An admin asks from the CLI (the workspace's own /airlock cannot reach Airlock any more).
    const status = await runCli(['admin', '--tenant', 'globex', 'status'], {
      DATABASE_URL: t.db.url,
      POLICY_FILE: 'test/fixtures/slack-workspaces-policy.yml',
      REDIS_URL: '',
      SLACK_BOT_TOKEN: '',
      SLACK_CLIENT_ID: CLIENT_ID,
      SLACK_CLIENT_SECRET: CLIENT_SECRET,
      SLACK_STATE_SECRET: STATE_SECRET,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: t.slack.url,
      PUBLIC_URL,
    });
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`Cards held on slack: no Slack installation serves workspace T0GLOBEX: install Airlock there at ${PUBLIC_URL}slack/install`);

    // Installing again serves the workspace's new cards at once.
    await install(GLOBEX);
    expect((await readyz()).not_installed).toBeUndefined();
    const again = await submit('globex');
    expect((await cardOf(again.id)).token).toBe(t.slack.tokenOf('T0GLOBEX'));
  });

  it('removes an organisation’s install when Slack says its bot token was revoked (tokens_revoked)', async () => {
    await install(INITECH_ORG);
    const revoked = fixture('event-tokens-revoked', { TEAM_ID: 'T0INIONE', ENTERPRISE_ID: 'E0INI', BOT_USER_ID: 'U0BOTE0INI', EVENT_ID: 'Ev0REVOKED1' });
    expect((await postEvent(revoked)).statusCode).toBe(200);
    await waitFor(async () => (await readyz()).not_installed?.slack?.includes('initech'), { what: 'initech listed as not installed' });
    expect((await readyz()).not_installed?.slack).toEqual(expect.arrayContaining(['initech', 'initrode']));
    const one = await submit('initech');
    await waitFor(async () => (await auditKinds(one.id)).includes('card_held'), { what: 'the held card recorded' });
    await install(INITECH_ORG);
  });

  it('keeps the bot token encrypted at rest: the row holds no byte of it', async () => {
    await install(ACME);
    const token = t.slack.tokenOf('T0ACME');
    const { rows } = await t.core.pool.query<{ row: string; bot_token: Buffer; key_id: string }>(
      "SELECT row_to_json(i)::text AS row, bot_token, key_id FROM chat_installations i WHERE platform = 'slack' AND workspace_id = 'T0ACME'",
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.row).not.toContain(token);
    expect(rows[0]!.row).not.toContain(Buffer.from(token).toString('hex'));
    expect(rows[0]!.row).not.toContain(Buffer.from(token).toString('base64'));
    expect(rows[0]!.bot_token.includes(Buffer.from(token))).toBe(false);
    expect(rows[0]!.key_id).toMatch(/\S/);
  });

  it('refuses a forged state, a replayed one, and one from another browser, with a page that says what to do', async () => {
    // Forged: a state signed with another secret, presented with a matching cookie.
    t.slack.grantNextInstall(ACME);
    const { href } = await installPage();
    const back = await visitSlack(href);
    const forged = forgeState(back.searchParams.get('state')!);
    back.searchParams.set('state', forged);
    const refusedForged = await redirect(back, `${STATE_COOKIE}=${forged}`);
    expectAdvice(refusedForged, 400);

    // Another browser: the right state, but not this browser's cookie.
    t.slack.grantNextInstall(ACME);
    const other = await installPage();
    const noCookie = await redirect(await visitSlack(other.href));
    expectAdvice(noCookie, 400);

    // Replayed: a completed install's redirect sent again, cookie and all.
    t.slack.grantNextInstall(ACME);
    const page = await installPage();
    const first = await visitSlack(page.href);
    expect((await redirect(first, page.cookie)).statusCode).toBe(200);
    expectAdvice(await redirect(first, page.cookie), 400);
    expect(t.slack.calls('oauth.v2.access')).toHaveLength(1);
  });

  it('shows what to do, never a stack trace, when the person at Slack cancels', async () => {
    t.slack.refuseNextInstall('access_denied');
    const { cookie, href } = await installPage();
    const cancelled = await redirect(await visitSlack(href), cookie);
    expectAdvice(cancelled, 400);
    expect(cancelled.body).toMatch(/cancel/i);
    expect(t.slack.calls('oauth.v2.access')).toEqual([]);
  });

  it('refreshes a rotating token before it expires, and posts with the new one', async () => {
    // Expiring within the refresh window: the first card refreshes it.
    await install({ ...GLOBEX, expiresIn: 600 });
    const first = t.slack.tokenOf('T0GLOBEX');
    const g = await submit('globex');
    const card = await cardOf(g.id);
    const refresh = t.slack.calls('oauth.v2.access').filter((c) => c.body.grant_type === 'refresh_token');
    expect(refresh).toHaveLength(1);
    expect(card.token).not.toBe(first);
    expect(card.token).toBe(t.slack.tokenOf('T0GLOBEX'));
    const { rows } = await t.core.pool.query("SELECT expires_at > now() + interval '2 hours' AS later FROM chat_installations WHERE workspace_id = 'T0GLOBEX'");
    expect(rows).toEqual([{ later: true }]);
  });
});

describe('Slack across workspaces: configuration', () => {
  const base = { DATABASE_URL: 'postgres://x@127.0.0.1/x', AIRLOCK_SECRET: 'x'.repeat(32), SLACK_SIGNING_SECRET: 's', PUBLIC_URL };
  const problems = (env: Record<string, string>) => {
    try {
      loadEnv({ ...base, ...env });
    } catch (err) {
      if (err instanceof ConfigError) return err.message;
      throw err;
    }
    return '';
  };

  it('stops the start when SLACK_CLIENT_ID comes without its secrets, naming what is missing and never a value', () => {
    const message = problems({ SLACK_CLIENT_ID: CLIENT_ID });
    expect(message).toContain('SLACK_CLIENT_SECRET');
    expect(message).toContain('SLACK_STATE_SECRET');
    expect(problems({ SLACK_CLIENT_ID: CLIENT_ID, SLACK_CLIENT_SECRET: CLIENT_SECRET })).toContain('SLACK_STATE_SECRET');
    expect(problems({ SLACK_CLIENT_SECRET: CLIENT_SECRET, SLACK_STATE_SECRET: STATE_SECRET })).toContain('SLACK_CLIENT_ID');
    const noUrl = problems({ SLACK_CLIENT_ID: CLIENT_ID, SLACK_CLIENT_SECRET: CLIENT_SECRET, SLACK_STATE_SECRET: STATE_SECRET, PUBLIC_URL: '' });
    expect(noUrl).toContain('PUBLIC_URL');
    expect(noUrl).not.toContain(CLIENT_SECRET);
    expect(problems({ SLACK_CLIENT_ID: CLIENT_ID, SLACK_CLIENT_SECRET: CLIENT_SECRET, SLACK_STATE_SECRET: STATE_SECRET })).toBe('');
  });
});

/** A state of the same shape, signed with a secret Airlock does not have. */
function forgeState(state: string): string {
  const [payload] = state.split('.');
  return `${payload}.${createHmac('sha256', 'not-the-state-secret').update(payload!).digest('base64url')}`;
}

/** An error page for a person: the status, a way forward, and nothing from a stack. */
function expectAdvice(res: LightMyRequestResponse, status: number) {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^text\/html/);
  expect(res.body).toContain('/slack/install');
  expect(res.body).not.toMatch(/\bat .+\(.+:\d+:\d+\)|Error:|node_modules/);
}
