import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

/** A person the test identity provider knows, by account id. */
export interface TestAccount {
  email: string;
  email_verified?: boolean;
  name?: string;
  groups?: string[];
}

export interface TestIdp {
  /** The issuer: `http://localhost:<port>` (a host of its own, so its cookies and Airlock's never mix). */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The account the next sign-in logs in as, with no form: the test decides who signs in. */
  signInAs(accountId: string): void;
  /** How many times it has asked for credentials (a login prompt): a sign-in within its session does not. */
  credentialsAsked(): number;
  close(): Promise<void>;
}

/**
 * A real OpenID provider (oidc-provider, a certified implementation) on a
 * loopback port, with one confidential client and the given accounts. The
 * login and consent interactions finish on their own for the account named by
 * `signInAs`, so a test (or a browser) walks the real authorization code flow
 * with PKCE, the real token endpoint and real signed ID tokens.
 *
 * It offers RP-initiated logout (`end_session_endpoint`) unless `endSession`
 * is false; its page asking the person to confirm is a plain form (`#op.logoutForm`
 * with a `logout=yes` button) a test submits as a person would.
 */
export async function startTestIdp(opts: {
  redirectUris: string[];
  accounts: Record<string, TestAccount>;
  port?: number;
  /** Where the client may ask to be sent back after sign-out. */
  postLogoutRedirectUris?: string[];
  endSession?: boolean;
}): Promise<TestIdp> {
  const clientId = 'airlock-console';
  const clientSecret = randomBytes(24).toString('hex');
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  let next: string | undefined;
  let credentialsAsked = 0;

  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, 'localhost', resolve));
  const issuer = `http://localhost:${(server.address() as AddressInfo).port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: opts.redirectUris,
        post_logout_redirect_uris: opts.postLogoutRedirectUris ?? [],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
    // The claims go in the ID token itself, as many IdPs are configured to put a groups claim.
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: opts.endSession ?? true,
        logoutSource: async (ctx: { body: string }, form: string) => {
          ctx.body = `<!DOCTYPE html><title>Sign out</title><h1>Sign out of the test IdP?</h1>${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Yes, sign me out</button>`;
        },
        postLogoutSuccessSource: async (ctx: { body: string }) => {
          ctx.body = '<!DOCTYPE html><title>Signed out</title><h1>Signed out of the test IdP</h1>';
        },
      },
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    findAccount: async (_ctx: unknown, sub: string) => {
      const account = Object.hasOwn(opts.accounts, sub) ? opts.accounts[sub] : undefined;
      if (!account) return undefined;
      return { accountId: sub, claims: async () => ({ sub, email_verified: true, ...account }) };
    },
  });
  // Errors the tests provoke (a replayed code) are answered to the client; they need no stack on the test's console.
  provider.on('server_error', () => undefined);
  const handle = provider.callback();

  server.on('request', (req, res) => {
    if (!req.url?.startsWith('/interaction/')) return handle(req, res);
    void finishInteraction(req, res).catch((err: Error) => {
      res.statusCode = 500;
      res.end(`interaction failed: ${err.message}`);
    });
  });

  async function finishInteraction(req: http.IncomingMessage, res: http.ServerResponse) {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === 'login') {
      credentialsAsked++;
      if (!next || !Object.hasOwn(opts.accounts, next)) throw new Error(`no account to sign in as (signInAs ${String(next)})`);
      return provider.interactionFinished(req, res, { login: { accountId: next } }, { mergeWithLastSubmission: false });
    }
    const grant = details.grantId ? await provider.Grant.find(details.grantId) : new provider.Grant({ accountId: details.session!.accountId, clientId: details.params.client_id });
    const missing = details.prompt.details;
    if (missing.missingOIDCScope) grant!.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant!.addOIDCClaims(missing.missingOIDCClaims);
    for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant!.addResourceScope(resource, scopes.join(' '));
    return provider.interactionFinished(req, res, { consent: { grantId: await grant!.save() } }, { mergeWithLastSubmission: true });
  }

  return {
    issuer,
    clientId,
    clientSecret,
    signInAs: (accountId) => {
      next = accountId;
    },
    credentialsAsked: () => credentialsAsked,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
