import type { FastifyInstance } from 'fastify';
import { consoleAccess, groupsWorthKeeping, type ConsoleIdentity } from '../../../src/domain/console-access.js';
import type { ConsoleDeps } from '../console-deps.js';
import { describe, type IdentityProvider, type SignInClaims, type SignInResult } from '../identity-provider.js';
import { idpUnreachable, noRole, signedOut, signInFailed } from '../pages/notices.js';
import { tenantsPage } from '../pages/tenants.js';
import { chromeFor, sendPage } from '../reply-page.js';
import { keptIdToken, LOGIN_MS, safeNext, SESSION_MS, signedIn } from '../session.js';

const ERROR_TEXT_MAX = 300;

/**
 * Sign-in (authorization code with PKCE at the organisation's IdP), sign-out
 * (at the IdP too when it offers it), and the console's front door: straight
 * to the one tenant a person may enter, or a choice between several.
 */
export function signInRoutes(app: FastifyInstance, deps: ConsoleDeps, idp: IdentityProvider, redirectUri: string) {
  const now = () => deps.clock.now().getTime();
  /** Where the IdP sends the browser back after ending its session (registered at the IdP as a post-logout redirect URI). */
  const signedOutUri = new URL('/console/signed-out', redirectUri).toString();

  app.get('/login', async (req, reply) => {
    const next = safeNext((req.query as { next?: unknown }).next);
    if (signedIn(req, now())) return reply.redirect(next, 303);
    let started;
    try {
      started = await idp.authorizationUrl();
    } catch {
      return sendPage(reply, 503, idpUnreachable(idp.state()));
    }
    req.session.set('login', { ...started.checks, next, startedAt: now() });
    return reply.redirect(started.url.toString(), 302);
  });

  app.get('/callback', async (req, reply) => {
    const attempt = req.session.get('login');
    if (!attempt || now() - attempt.startedAt > LOGIN_MS) {
      return sendPage(reply, 400, signInFailed('This sign-in has expired or was already used.'));
    }
    const query = req.query as { error?: unknown; error_description?: unknown };
    if (typeof query.error === 'string') {
      req.session.set('login', undefined);
      const why = typeof query.error_description === 'string' ? query.error_description : query.error;
      return sendPage(reply, 403, signInFailed(`The identity provider did not sign you in: ${why.slice(0, ERROR_TEXT_MAX)}`));
    }
    let signIn: SignInResult;
    try {
      // The URL as the IdP sent the browser to it: PUBLIC_URL, never the Host header.
      signIn = await idp.finish(new URL(req.url, redirectUri), attempt);
    } catch (err) {
      req.session.set('login', undefined);
      deps.log.warn({ err: describe(err) }, 'console sign-in failed');
      return sendPage(reply, idp.state() === 'ok' ? 400 : 503, signInFailed(`The identity provider's answer could not be used: ${describe(err).slice(0, ERROR_TEXT_MAX)}`));
    }
    const who = identityOf(signIn.claims, deps);
    // A new session for the new person: nothing from before sign-in (the CSRF secret included) carries over.
    req.session.regenerate();
    const at = now();
    const idToken = keptIdToken(signIn.idToken);
    req.session.set('signedIn', { who, signedInAt: at, expiresAt: at + SESSION_MS, ...(idToken ? { idToken } : {}) });
    deps.log.info({ issuer: who.issuer, subject: who.subject, tenants: consoleAccess(deps.policy.current(), who).map((a) => a.tenant) }, 'console sign-in');
    return reply.redirect(attempt.next, 303);
  });

  app.post('/logout', async (req, reply) => {
    const s = signedIn(req, now())!;
    // The console's own session ends first, whatever the IdP then does.
    req.session.delete();
    const atIdp = idp.endSessionUrl({ postLogoutRedirectUri: signedOutUri, issuer: s.who.issuer, ...(s.idToken ? { idToken: s.idToken } : {}) });
    return reply.redirect(atIdp?.toString() ?? '/console/signed-out', 303);
  });

  app.get('/signed-out', async (_req, reply) => sendPage(reply, 200, signedOut()));

  app.get('/', async (req, reply) => {
    const s = signedIn(req, now())!;
    const policy = deps.policy.current();
    const access = consoleAccess(policy, s.who);
    if (access.length === 1) return reply.redirect(`/console/t/${encodeURIComponent(access[0]!.tenant)}/inbox`, 303);
    const chrome = chromeFor(req, reply, s, policy);
    if (access.length === 0) return sendPage(reply, 403, noRole(s.who.email ?? s.who.subject, chrome));
    return sendPage(reply, 200, tenantsPage(access, chrome));
  });

  app.get('/t/:tenant', async (req, reply) => reply.redirect(`/console/t/${encodeURIComponent((req.params as { tenant: string }).tenant)}/inbox`, 303));
}

/** The person as the console keeps them: who the IdP says they are, and only the groups the policy can use. */
function identityOf(claims: SignInClaims, deps: ConsoleDeps): ConsoleIdentity {
  const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
  const email = text(claims.email);
  const name = text(claims.name);
  return {
    issuer: claims.iss,
    subject: claims.sub,
    ...(email ? { email } : {}),
    // Some IdPs send the boolean as a string.
    emailVerified: claims.email_verified === true || claims.email_verified === 'true',
    ...(name ? { name: name.slice(0, 200) } : {}),
    groups: groupsWorthKeeping(deps.policy.current(), claims),
  };
}
