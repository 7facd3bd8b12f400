import { startAirlock, type StartOptions, type TestAirlock } from './airlock.js';
import { ConsoleClient, type Page } from './console-client.js';
import { freePort } from './free-port.js';
import { startTestIdp, type TestAccount, type TestIdp } from './oidc-provider.js';

/** The people of test/fixtures/console-policy.yml, as the test identity provider knows them. */
export const ACCOUNTS: Record<string, TestAccount> = {
  lead1: { email: 'lead1@acme.example', name: 'Lead One' },
  lead2: { email: 'lead2@acme.example', name: 'Lead Two', groups: ['support-leads', 'everyone'] },
  both: { email: 'both@example.com', name: 'Bo Th' },
  fin1: { email: 'fin1@acme.example' },
  fin2: { email: 'fin2@acme.example' },
  boss: { email: 'boss@globex.example', name: 'Globex Boss' },
  audit: { email: 'audit@acme.example', name: 'Acme Audit' },
  unverified: { email: 'ops@acme.example', email_verified: false },
  stranger: { email: 'nobody@elsewhere.example' },
  auditor: { email: 'audit@acme.example', name: 'Audit Person' },
  admin: { email: 'ops@acme.example', name: 'Ops Lead' },
  /** A reviewer by group whose IdP lists 200 more groups: an ID token too long for the session to keep. */
  manyGroups: { email: 'lead3@acme.example', name: 'Lead Three', groups: ['support-leads', ...Array.from({ length: 200 }, (_, i) => `all-staff-distribution-list-${i}`)] },
  /** An admin only through an IdP group (test/fixtures/console-oversight-policy.yml names it); her email is listed nowhere. */
  groupAdmin: { email: 'pat@acme.example', name: 'Pat Platform', groups: ['platform-admins', 'everyone'] },
};

export interface ConsoleTestAirlock extends TestAirlock {
  idp: TestIdp;
  publicUrl: string;
  /** A new browser (its own cookies) signed in as the account, on the page sign-in landed on. */
  signIn(account: string): Promise<{ client: ConsoleClient; page: Page }>;
  client(): ConsoleClient;
  submit(tenant: string, tool: string, body?: Record<string, unknown>): Promise<{ id: string; status: string }>;
}

/** Airlock serving the console, signing in at a real OpenID provider on loopback. */
export async function startConsoleAirlock(opts: StartOptions & { port?: number; idpEndSession?: boolean } = {}): Promise<ConsoleTestAirlock> {
  const port = opts.port ?? (await freePort());
  const publicUrl = `http://127.0.0.1:${port}`;
  const idp = await startTestIdp({
    redirectUris: [`${publicUrl}/console/callback`],
    postLogoutRedirectUris: [`${publicUrl}/console/signed-out`],
    accounts: ACCOUNTS,
    ...(opts.idpEndSession !== undefined ? { endSession: opts.idpEndSession } : {}),
  });
  const airlock = await startAirlock({
    policyFile: 'test/fixtures/console-policy.yml',
    ...opts,
    env: { OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: idp.clientId, OIDC_CLIENT_SECRET: idp.clientSecret, PUBLIC_URL: publicUrl, ...opts.env },
  });
  const keys = new Map<string, string>();
  const client = () => new ConsoleClient(airlock.app, publicUrl);
  return {
    ...airlock,
    idp,
    publicUrl,
    client,
    signIn: async (account) => {
      const c = client();
      idp.signInAs(account);
      const page = await c.get('/console/login', { follow: true });
      return { client: c, page };
    },
    submit: async (tenant, tool, body = {}) => {
      if (!keys.has(tenant)) keys.set(tenant, await airlock.agentAuth(tenant, 'bot'));
      const res = await airlock.app.inject({
        method: 'POST',
        url: '/v1/actions',
        headers: { authorization: keys.get(tenant)! },
        payload: { tool, args: { to: 'jane@example.com', subject: 'Your refund', body: 'the secret body' }, requester: { id: 'U0SAM', email: 'sam@example.com' }, summary: `please run ${tool}`, ...body },
      });
      if (res.statusCode !== 201) throw new Error(`submit failed: ${res.statusCode} ${res.body}`);
      return res.json();
    },
    close: async () => {
      await airlock.close();
      await idp.close();
    },
  };
}
