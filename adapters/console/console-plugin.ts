import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import helmet from '@fastify/helmet';
import secureSession from '@fastify/secure-session';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ConsoleDeps } from './console-deps.js';
import { IdentityProvider } from './identity-provider.js';
import { badRequest, failed, formExpired, notFound, notSignedIn } from './pages/notices.js';
import { sendPage } from './reply-page.js';
import { actionRoutes } from './routes/action-routes.js';
import { activityRoutes } from './routes/activity-routes.js';
import { assetRoutes } from './routes/asset-routes.js';
import { dashboardRoutes } from './routes/dashboard-routes.js';
import { inboxRoutes } from './routes/inbox-routes.js';
import { policyRoutes } from './routes/policy-routes.js';
import { signInRoutes } from './routes/sign-in-routes.js';
import { SESSION_MS, sessionKey, signedIn } from './session.js';

/** The console's routes anyone may reach: signing in, signing out's goodbye, and the style sheet and script. Every other route needs a session. */
export const PUBLIC_ROUTES: ReadonlySet<string> = new Set(['/console/login', '/console/callback', '/console/signed-out', '/console/assets/:name']);

/** A form body is small: a reason, a few edited arguments. */
const FORM_LIMIT = 64 * 1024;

const isLoopback = (url: URL) => url.hostname === 'localhost' || url.hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(url.hostname);

/**
 * The web console under /console: sign-in at the organisation's identity
 * provider, a signed and encrypted session cookie, CSRF tokens on every
 * form, and a strict Content-Security-Policy. Everything it registers
 * (parsers, hooks, error pages) stays inside /console.
 */
export function createConsole(deps: ConsoleDeps) {
  const publicUrl = new URL(deps.publicUrl);
  const redirectUri = new URL('/console/callback', publicUrl).toString();
  // Over plain http only on loopback (the env check refuses http anywhere else), where a Secure cookie would never come back.
  const secure = publicUrl.protocol === 'https:' || !isLoopback(publicUrl);
  const idp = new IdentityProvider({ ...deps.oidc, redirectUri }, (state) =>
    state === 'ok' ? deps.log.info({ issuer: deps.oidc.issuer }, 'console identity provider discovered') : deps.log.warn({ issuer: deps.oidc.issuer, state }, 'console identity provider not reachable; retrying'),
  );

  async function mount(app: FastifyInstance) {
    // Mounted by the API only: a worker never talks to the IdP.
    idp.start();
    await app.register(
      async (scope) => {
        scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_LIMIT }, (_req, body, done) => {
          // No prototype: a field named __proto__ is just a field.
          const form: Record<string, string> = Object.create(null);
          for (const [k, v] of new URLSearchParams(body as string)) form[k] = v;
          done(null, form);
        });
        await scope.register(helmet, {
          contentSecurityPolicy: {
            useDefaults: false,
            directives: {
              defaultSrc: ["'self'"],
              scriptSrc: ["'self'"],
              styleSrc: ["'self'"],
              imgSrc: ["'self'"],
              fontSrc: ["'self'"],
              connectSrc: ["'self'"],
              // Sign-out posts here and is redirected on to the IdP's end-session endpoint: browsers hold a form's redirects to form-action too.
              formAction: ["'self'", () => idp.endSessionOrigin() ?? "'self'"],
              frameAncestors: ["'none'"],
              baseUri: ["'none'"],
              objectSrc: ["'none'"],
              ...(secure ? { upgradeInsecureRequests: [] } : {}),
            },
          },
          frameguard: { action: 'deny' },
          strictTransportSecurity: secure ? { maxAge: 15_552_000, includeSubDomains: false } : false,
        });
        await scope.register(cookie);
        await scope.register(secureSession, {
          key: sessionKey(deps.secret),
          cookieName: 'airlock_console',
          expiry: SESSION_MS / 1000,
          cookie: { path: '/console', httpOnly: true, secure, sameSite: 'lax', maxAge: SESSION_MS / 1000 },
        });
        await scope.register(csrf, { sessionPlugin: '@fastify/secure-session', getToken: (req) => (req.body as Record<string, string> | undefined)?._csrf });

        scope.addHook('preHandler', (req, reply, done) => {
          if (PUBLIC_ROUTES.has(req.routeOptions.url ?? '')) return done();
          if (!signedIn(req, deps.clock.now().getTime())) {
            if (req.method === 'GET' || req.method === 'HEAD') return void reply.redirect(`/console/login?next=${encodeURIComponent(req.url)}`, 302);
            return void sendPage(reply, 401, notSignedIn());
          }
          // Every change is a POST, and every POST carries the session's CSRF token.
          if (req.method !== 'GET' && req.method !== 'HEAD') return scope.csrfProtection(req, reply, done);
          done();
        });
        scope.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
          if (err.code === 'FST_CSRF_INVALID_TOKEN' || err.code === 'FST_CSRF_MISSING_SECRET') return sendPage(reply, 403, formExpired());
          if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return sendPage(reply, err.statusCode, badRequest('The request could not be read. Nothing was changed.'));
          req.log.error({ err: err.message, route: req.routeOptions.url }, 'console request failed');
          return sendPage(reply, 500, failed());
        });
        scope.setNotFoundHandler((_req, reply) => sendPage(reply, 404, notFound()));

        assetRoutes(scope);
        signInRoutes(scope, deps, idp, redirectUri);
        inboxRoutes(scope, deps);
        dashboardRoutes(scope, deps);
        policyRoutes(scope, deps);
        actionRoutes(scope, deps);
        activityRoutes(scope, deps);
      },
      { prefix: '/console' },
    );
  }

  return {
    /** Mounts /console and starts discovering the IdP in the background (retrying while it fails). */
    mount,
    stop: () => idp.stop(),
    /** For /readyz: `starting`, `ok` or `failing: <why>`. */
    state: () => idp.state(),
  };
}

export type Console = ReturnType<typeof createConsole>;
