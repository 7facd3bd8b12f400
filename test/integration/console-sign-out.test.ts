import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleClient, type Page } from '../support/console-client.js';
import { startConsoleAirlock, type ConsoleTestAirlock } from '../support/console-airlock.js';

/**
 * Signing out of the console. The console's session cookie is cleared at
 * once; when the identity provider offers RP-initiated logout the browser is
 * sent on to end the session there too, so the next sign-in asks for
 * credentials again. When it does not, the sign-out stays local and the
 * identity provider's session lives on.
 */

/** A browser that signed in, then came back to the console with no session of Airlock's: within the IdP's session, it asks nothing. */
async function signInAgain(t: ConsoleTestAirlock, client: ConsoleClient, account: string): Promise<{ page: Page; askedForCredentials: boolean }> {
  const before = t.idp.credentialsAsked();
  t.idp.signInAs(account);
  const page = await client.get('/console/login', { follow: true });
  return { page, askedForCredentials: t.idp.credentialsAsked() > before };
}

/** The IdP's "sign out?" page, answered yes as the person would; returns the page the browser ends on. */
async function confirmAtIdp(client: ConsoleClient, endSession: string): Promise<Page> {
  const ask = await client.get(endSession, { follow: true });
  expect(ask.status).toBe(200);
  const form = /<form id="op\.logoutForm" method="post" action="([^"]+)"><input type="hidden" name="xsrf" value="([^"]+)"\/>/.exec(ask.body);
  expect(form, ask.body).not.toBeNull();
  return client.post(form![1]!, { xsrf: form![2]!, logout: 'yes' }, { follow: true });
}

const sessionCookie = (client: ConsoleClient) => client.setCookies.filter((c) => c.startsWith('airlock_console=')).at(-1)!;

describe('signing out at an identity provider that offers end-session', () => {
  let t: ConsoleTestAirlock;
  let endSessionEndpoint: string;
  beforeAll(async () => {
    t = await startConsoleAirlock({ processors: false });
    const discovery = (await (await fetch(`${t.idp.issuer}/.well-known/openid-configuration`)).json()) as { end_session_endpoint?: string };
    endSessionEndpoint = discovery.end_session_endpoint!;
    expect(endSessionEndpoint).toBeDefined();
  });
  afterAll(() => t?.close());

  it('clears the session first, then ends the IdP session with the ID token as hint, so the next sign-in asks for credentials again', async () => {
    const { client, page } = await t.signIn('lead1');
    // Browsers hold the sign-out form's redirect to the page's form-action.
    expect(page.headers['content-security-policy']).toContain(`form-action 'self' ${new URL(endSessionEndpoint).origin};`);
    // The session cookie holds the ID token and still fits a browser's 4 KB.
    expect(sessionCookie(client).length).toBeLessThan(4096);
    client.cookies.delete('airlock_console');
    const sso = await signInAgain(t, client, 'lead1');
    expect(sso.askedForCredentials).toBe(false);

    const out = await client.post('/console/logout', { _csrf: ConsoleClient.csrfOf(sso.page) });
    expect(out.status).toBe(303);
    expect(client.cookies.has('airlock_console')).toBe(false);
    expect((await client.get('/console/t/acme/inbox')).status).toBe(302);
    const end = new URL(out.location!);
    expect(`${end.origin}${end.pathname}`).toBe(endSessionEndpoint);
    expect(end.searchParams.get('post_logout_redirect_uri')).toBe(`${t.publicUrl}/console/signed-out`);
    expect(end.searchParams.get('client_id')).toBe(t.idp.clientId);
    expect(decodeJwt(end.searchParams.get('id_token_hint')!)).toMatchObject({ iss: t.idp.issuer, sub: 'lead1', aud: t.idp.clientId });

    const landed = await confirmAtIdp(client, out.location!);
    expect(landed.status).toBe(200);
    expect(landed.body).toContain('You have signed out of Airlock');

    const next = await signInAgain(t, client, 'lead1');
    expect(next.askedForCredentials).toBe(true);
    expect(next.page.status).toBe(200);
    expect(next.page.body).toContain('Inbox');
  });

  it('keeps an ID token too long for the cookie out of the session: sign-out names the console by its client id and still ends the IdP session', async () => {
    const { client, page } = await t.signIn('manyGroups');
    expect(page.status).toBe(200);
    expect(sessionCookie(client).length).toBeLessThan(4096);

    const out = await client.post('/console/logout', { _csrf: ConsoleClient.csrfOf(page) });
    expect(client.cookies.has('airlock_console')).toBe(false);
    const end = new URL(out.location!);
    expect(`${end.origin}${end.pathname}`).toBe(endSessionEndpoint);
    expect(end.searchParams.has('id_token_hint')).toBe(false);
    expect(end.searchParams.get('client_id')).toBe(t.idp.clientId);
    expect(end.searchParams.get('post_logout_redirect_uri')).toBe(`${t.publicUrl}/console/signed-out`);

    expect((await confirmAtIdp(client, out.location!)).body).toContain('You have signed out of Airlock');
    expect((await signInAgain(t, client, 'manyGroups')).askedForCredentials).toBe(true);
  });
});

describe('signing out at an identity provider without end-session', () => {
  let t: ConsoleTestAirlock;
  beforeAll(async () => {
    t = await startConsoleAirlock({ processors: false, idpEndSession: false });
  });
  afterAll(() => t?.close());

  it("ends only the console's session: pages ask for sign-in again, and the IdP, still signed in, asks nothing", async () => {
    const { client, page } = await t.signIn('lead1');
    expect(page.headers['content-security-policy']).not.toContain(t.idp.issuer);
    expect(await client.post('/console/logout', { _csrf: ConsoleClient.csrfOf(page) })).toMatchObject({ status: 303, location: '/console/signed-out' });
    expect(client.cookies.has('airlock_console')).toBe(false);
    expect((await client.get('/console/t/acme/inbox')).status).toBe(302);
    expect((await client.get('/console/signed-out')).body).toContain('You have signed out of Airlock');

    const next = await signInAgain(t, client, 'lead1');
    expect(next.askedForCredentials).toBe(false);
    expect(next.page.body).toContain('Inbox');
  });
});
