import Fastify from 'fastify';
import type { RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_ROUTES } from '../../adapters/console/console-plugin.js';
import { wireConsole } from '../../src/main/console.js';
import { startAirlock, type TestAirlock } from '../support/airlock.js';
import { ConsoleClient } from '../support/console-client.js';
import { startConsoleAirlock, type ConsoleTestAirlock } from '../support/console-airlock.js';
import { freePort } from '../support/free-port.js';
import { startTestIdp } from '../support/oidc-provider.js';

/**
 * Signing in to the web console: the authorization code flow with PKCE at a
 * real OpenID provider, the session cookie, CSRF on every change, and what
 * happens when the identity provider is away (signing out:
 * console-sign-out.test.ts).
 */
let t: ConsoleTestAirlock;
let offsetMs = 0;
beforeAll(async () => {
  // API only: nothing runs the approval jobs, so moving the clock moves only the session's age.
  t = await startConsoleAirlock({ processors: false, clock: { now: () => new Date(Date.now() + offsetMs) } });
});
afterAll(() => t?.close());

describe('console sign-in', () => {
  it('answers every console route, found by enumerating them, with sign-in (pages) or 401 (changes) when nobody is signed in', async () => {
    const routes: RouteOptions[] = [];
    const app = Fastify();
    app.addHook('onRoute', (r) => void routes.push(r));
    const webConsole = wireConsole(t.core, { recordReview: t.approvals.recordReview, adminCommand: t.approvals.adminCommand })!;
    await webConsole.mount(app);
    await app.ready();
    webConsole.stop();
    const guarded = routes.filter((r) => !PUBLIC_ROUTES.has(r.url));
    expect(guarded.length).toBeGreaterThanOrEqual(6);
    for (const r of guarded) {
      const url = r.url.replace(':tenant', 'acme').replace(':id', '00000000-0000-4000-8000-000000000000');
      for (const method of [r.method].flat()) {
        const res = await app.inject({ method, url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: method === 'GET' || method === 'HEAD' ? undefined : 'decision=approve' });
        if (method === 'GET' || method === 'HEAD') {
          expect({ method, url, status: res.statusCode, to: res.headers.location }).toEqual({ method, url, status: 302, to: `/console/login?next=${encodeURIComponent(url)}` });
        } else {
          expect({ method, url, status: res.statusCode }).toEqual({ method, url, status: 401 });
        }
      }
    }
    await app.close();
  });

  it('signs in with the authorization code flow and PKCE, and lands in the only tenant the person may enter', async () => {
    const c = t.client();
    const login = await c.get('/console/login');
    expect(login.status).toBe(302);
    const authorize = new URL(login.location!);
    expect(authorize.origin).toBe(t.idp.issuer);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${t.publicUrl}/console/callback`);

    t.idp.signInAs('lead1');
    const landed = await c.get(login.location!, { follow: true });
    expect(landed.status).toBe(200);
    expect(landed.body).toContain('<h1>Inbox</h1>');
    expect(landed.body).toContain('Lead One');
    const session = c.setCookies.filter((line) => line.startsWith('airlock_console=')).at(-1)!;
    expect(session).toMatch(/; HttpOnly/);
    expect(session).toMatch(/; SameSite=Lax/);
    expect(session).toMatch(/; Path=\/console/);
    // PUBLIC_URL is loopback http here; anywhere else the cookie is Secure.
    expect(session).not.toMatch(/; Secure/);
  });

  it('serves pages with a strict Content-Security-Policy and only its own assets', async () => {
    const { page } = await t.signIn('lead1');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.body).not.toMatch(/<script>|<style>| style="| on[a-z]+="/);
    for (const src of page.body.matchAll(/(?:src|href)="([^"]+)"/g)) expect(src[1]).toMatch(/^(\/console|#)/);
    const css = await t.app.inject({ method: 'GET', url: '/console/assets/console.css' });
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toContain('text/css');
    // Only the named assets exist: no path from a request reaches the file system.
    const traversal = await t.app.inject({ method: 'GET', url: '/console/assets/..%2F..%2F..%2Fpackage.json' });
    expect(traversal.statusCode).not.toBe(200);
    expect(traversal.body).not.toContain('"name": "airlock"');
    expect((await t.app.inject({ method: 'GET', url: '/console/assets/package.json' })).statusCode).toBe(404);
  });

  it('lets a person listed in two tenants choose one, and answers 404 for a tenant they have no role in', async () => {
    const both = await t.signIn('both');
    expect(both.page.body).toContain('Choose a tenant');
    expect(both.page.body).toContain('href="/console/t/acme/inbox"');
    expect(both.page.body).toContain('href="/console/t/globex/inbox"');
    expect((await both.client.get('/console/t/globex/inbox')).status).toBe(200);

    const lead = await t.signIn('lead1');
    expect((await lead.client.get('/console/t/globex/inbox')).status).toBe(404);
    expect((await lead.client.get('/console/t/no-such-tenant/inbox')).status).toBe(404);
  });

  it('gives an unverified email and a stranger no role, on a page that says why', async () => {
    for (const who of ['unverified', 'stranger']) {
      const { page } = await t.signIn(who);
      expect(page.status).toBe(403);
      expect(page.body).toContain('the policy gives you no role in any tenant');
    }
  });

  it('treats a forged or expired session cookie as no session', async () => {
    const { client } = await t.signIn('lead1');
    expect((await client.get('/console/t/acme/inbox')).status).toBe(200);

    const real = client.cookies.get('airlock_console')!;
    client.cookies.set('airlock_console', `${real.slice(0, 10)}${real[10] === 'A' ? 'B' : 'A'}${real.slice(11)}`);
    expect(await client.get('/console/t/acme/inbox')).toMatchObject({ status: 302, location: '/console/login?next=%2Fconsole%2Ft%2Facme%2Finbox' });

    client.cookies.set('airlock_console', real);
    expect((await client.get('/console/t/acme/inbox')).status).toBe(200);
    offsetMs = 8 * 60 * 60_000 + 60_000;
    try {
      expect((await client.get('/console/t/acme/inbox')).status).toBe(302);
    } finally {
      offsetMs = 0;
    }
  });

  it("refuses a POST without the session's CSRF token (403) and changes nothing", async () => {
    const action = await t.submit('acme', 'send_email');
    const { client } = await t.signIn('lead2');
    const inbox = await client.get('/console/t/acme/inbox');
    const form = { decision: 'deny', reason: 'no', args_version: '1', back: '/console/t/acme/inbox' };
    expect((await client.post(`/console/t/acme/actions/${action.id}/review`, form)).status).toBe(403);
    expect((await client.post(`/console/t/acme/actions/${action.id}/review`, { ...form, _csrf: 'forged-token' })).status).toBe(403);
    // Another person's valid token is not this session's.
    const other = await t.signIn('lead1');
    const othersToken = ConsoleClient.csrfOf(await other.client.get('/console/t/acme/inbox'));
    expect((await client.post(`/console/t/acme/actions/${action.id}/review`, { ...form, _csrf: othersToken })).status).toBe(403);
    expect((await client.post('/console/logout', {})).status).toBe(403);
    expect((await t.core.actions.get('acme', action.id))?.status).toBe('pending');

    const done = await client.post(`/console/t/acme/actions/${action.id}/review`, { ...form, _csrf: ConsoleClient.csrfOf(inbox) });
    expect(done).toMatchObject({ status: 303, location: '/console/t/acme/inbox' });
    expect((await t.core.actions.get('acme', action.id))?.status).toBe('denied');
  });

  it('refuses a callback that is not the answer to its own sign-in', async () => {
    const c = t.client();
    expect((await c.get('/console/callback?code=abc&state=xyz')).status).toBe(400);
    const login = await c.get('/console/login');
    const forged = await c.get(`/console/callback?code=abc&state=${'x'.repeat(43)}`);
    expect(forged.status).toBe(400);
    expect(forged.body).toContain('Sign-in did not complete');
    expect(login.status).toBe(302);
  });
});

describe('console with its identity provider away', () => {
  let down: TestAirlock;
  let idpPort: number;
  beforeAll(async () => {
    idpPort = await freePort();
    down = await startAirlock({
      policyFile: 'test/fixtures/console-policy.yml',
      processors: false,
      env: { OIDC_ISSUER: `http://localhost:${idpPort}`, OIDC_CLIENT_ID: 'airlock-console', OIDC_CLIENT_SECRET: 'not-used-here', PUBLIC_URL: 'http://127.0.0.1:9' },
    });
  });
  afterAll(() => down?.close());

  it('stays ready, reports the identity provider in /readyz, answers sign-in with a clear page, and signs in once it is back', async () => {
    const ready = await down.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().console.identity_provider).toMatch(new RegExp(`^failing: cannot read http://localhost:${idpPort}/\\.well-known/openid-configuration`));

    const login = await down.app.inject({ method: 'GET', url: '/console/login' });
    expect(login.statusCode).toBe(503);
    expect(login.headers['content-type']).toContain('text/html');
    expect(login.body).toContain('The identity provider cannot be reached');
    expect(login.body).not.toMatch(/\n\s+at /);

    const idp = await startTestIdp({ port: idpPort, redirectUris: ['http://127.0.0.1:9/console/callback'], accounts: {} });
    try {
      // Discovered on demand: no need to wait for the background retry.
      const again = await down.app.inject({ method: 'GET', url: '/console/login' });
      expect(again.statusCode).toBe(302);
      expect(again.headers.location).toMatch(new RegExp(`^http://localhost:${idpPort}/`));
      expect((await down.app.inject({ method: 'GET', url: '/readyz' })).json().console.identity_provider).toBe('ok');
    } finally {
      await idp.close();
    }
  });
});
