import * as oidc from 'openid-client';

/** The console's OpenID Connect client, as configured (OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, PUBLIC_URL). */
export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** PUBLIC_URL/console/callback, registered at the IdP. */
  redirectUri: string;
}

/** What the browser carries to the IdP and back; kept in the session between /console/login and /console/callback. */
export interface LoginChecks {
  state: string;
  nonce: string;
  verifier: string;
}

/** The IdP's answer about the person who signed in: the ID token's claims, completed by the userinfo endpoint's. */
export type SignInClaims = Record<string, unknown> & { iss: string; sub: string };

/** A finished sign-in: who it was, and the ID token itself (the hint the IdP's end-session endpoint takes at sign-out). */
export interface SignInResult {
  claims: SignInClaims;
  idToken: string;
}

const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 60_000;
/** Seconds any one request to the IdP may take. */
const REQUEST_TIMEOUT_S = 5;

/** Plain http never leaves the machine on these; anywhere else the IdP must be https. */
const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/**
 * The identity provider, discovered in the background and again on demand:
 * an IdP that is down when Airlock starts (or goes down later) never stops
 * Airlock, and sign-in works as soon as discovery succeeds. `state()` is
 * what /readyz reports: `starting`, `ok` or `failing: <why>`.
 */
export class IdentityProvider {
  private config?: oidc.Configuration;
  private attempt?: Promise<oidc.Configuration>;
  private status = 'starting';
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly settings: OidcSettings,
    private readonly onChange: (state: string) => void = () => undefined,
  ) {}

  state(): string {
    return this.status;
  }

  /** Discovers now, then keeps retrying with backoff (1 s to a minute) while it fails. */
  start(delayMs = FIRST_RETRY_MS): void {
    this.configuration().catch(() => {
      if (this.stopped) return;
      this.timer = setTimeout(() => this.start(Math.min(delayMs * 2, MAX_RETRY_MS)), delayMs);
      this.timer.unref();
    });
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Where to send the browser to sign in, and the checks its return must pass. */
  async authorizationUrl(): Promise<{ url: URL; checks: LoginChecks }> {
    const config = await this.configuration();
    const checks = { state: oidc.randomState(), nonce: oidc.randomNonce(), verifier: oidc.randomPKCECodeVerifier() };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.settings.redirectUri,
      scope: 'openid email profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(checks.verifier),
      code_challenge_method: 'S256',
      state: checks.state,
      nonce: checks.nonce,
    });
    return { url, checks };
  }

  /**
   * Finishes the sign-in: checks state, exchanges the code with the PKCE
   * verifier, verifies the ID token (signature, issuer, audience, expiry,
   * nonce) and reads the userinfo endpoint when the IdP has one. Throws with
   * a message fit for the person signing in (no token, no code).
   */
  async finish(callbackUrl: URL, checks: LoginChecks): Promise<SignInResult> {
    const config = await this.configuration();
    const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: checks.verifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    let userinfo: Record<string, unknown> = {};
    if (config.serverMetadata().userinfo_endpoint) {
      userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    }
    // The ID token is signed: what it says wins over the userinfo answer.
    return { claims: { ...userinfo, ...claims, iss: claims.iss, sub: claims.sub }, idToken: tokens.id_token! };
  }

  /**
   * Where to send the browser to end its session at the IdP too (OpenID
   * Connect RP-initiated logout), and to come back to `postLogoutRedirectUri`
   * from; undefined when the IdP advertises no `end_session_endpoint`, or has
   * not been discovered (then no request waits on an IdP that may be down).
   * The ID token goes along as `id_token_hint` only to the issuer that
   * signed it: after OIDC_ISSUER changes, an old session's token stays here.
   */
  endSessionUrl(opts: { postLogoutRedirectUri: string; idToken?: string; issuer: string }): URL | undefined {
    const config = this.config;
    if (!config?.serverMetadata().end_session_endpoint) return undefined;
    const params: Record<string, string> = { post_logout_redirect_uri: opts.postLogoutRedirectUri };
    if (opts.idToken !== undefined && config.serverMetadata().issuer === opts.issuer) params.id_token_hint = opts.idToken;
    // client_id goes too (openid-client adds it): an IdP given no hint still knows whose redirect URI to check.
    return oidc.buildEndSessionUrl(config, params);
  }

  /** The origin `endSessionUrl` sends the browser to (the console's sign-out form goes on there); undefined until there is one. */
  endSessionOrigin(): string | undefined {
    const endpoint = this.config?.serverMetadata().end_session_endpoint;
    const origin = endpoint && URL.canParse(endpoint) ? new URL(endpoint).origin : undefined;
    // It goes into the Content-Security-Policy header: nothing but scheme, host and port.
    return origin && /^https?:\/\/[A-Za-z0-9.:[\]-]+$/.test(origin) ? origin : undefined;
  }

  private configuration(): Promise<oidc.Configuration> {
    if (this.config) return Promise.resolve(this.config);
    this.attempt ??= this.discover().finally(() => {
      this.attempt = undefined;
    });
    return this.attempt;
  }

  private async discover(): Promise<oidc.Configuration> {
    const issuer = new URL(this.settings.issuer);
    const insecure = issuer.protocol === 'http:' && LOOPBACK.test(issuer.hostname);
    try {
      this.config = await oidc.discovery(issuer, this.settings.clientId, this.settings.clientSecret, undefined, {
        timeout: REQUEST_TIMEOUT_S,
        // Only ever for a loopback issuer (the env check refuses http anywhere else).
        ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
      });
      this.config.timeout = REQUEST_TIMEOUT_S;
      this.setState('ok');
      return this.config;
    } catch (err) {
      this.setState(`failing: cannot read ${issuer.origin}${issuer.pathname.replace(/\/$/, '')}/.well-known/openid-configuration (${describe(err)})`);
      throw err;
    }
  }

  private setState(state: string) {
    if (state === this.status) return;
    this.status = state;
    this.onChange(state);
  }
}

/** An openid-client error in a few words: its message and, for a network failure, the cause. */
export function describe(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const cause = e.cause?.code ?? e.cause?.message;
  return [e.message ?? String(err), cause].filter(Boolean).join(': ');
}
