import { createPublicKey, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { isTrustedServiceUrl } from './service-url.js';

/**
 * Airlock's own check of an inbound Bot Framework request, run before
 * botbuilder sees it (botbuilder then validates it again). botbuilder alone is
 * not strict enough for Airlock's rules: it sends tokens with other issuers down
 * its emulator and skill paths (against Microsoft's metadata), accepts a key
 * published without endorsements for any channel, and lets a bad signature
 * surface as a 500. Here every rule is explicit and every failure is a reason
 * string (the endpoint answers 401); nothing throws.
 */
export interface ChannelTokenRules {
  appId: string;
  issuer: string;
  openIdMetadataUrl: string;
  /** The only channel Airlock serves, and the endorsement its signing key must carry. */
  channelId: 'msteams';
  /** Clock skew allowed on exp/nbf, as botbuilder allows. */
  skewSeconds: number;
  /**
   * The furthest ahead a token may expire. Bot Framework issues tokens for
   * about an hour; the record of activities seen keeps each one for its
   * token's lifetime, and can only do so within a bound.
   */
  maxValidAheadSeconds: number;
  now?: () => number;
}

interface PublishedKey {
  key: KeyObject;
  endorsements: string[];
}

const KEYS_TTL_MS = 24 * 3600_000;
// An unknown key id triggers a refresh at most this often (Bot Framework rotates keys rarely; forged kids must not hammer the metadata host).
const UNKNOWN_KID_REFRESH_MS = 5 * 60_000;
const MAX_TOKEN_LENGTH = 16_384;

export class ChannelTokenVerifier {
  private keys = new Map<string, PublishedKey>();
  private fetchedAt = 0;
  private refreshing: Promise<void> | undefined;

  constructor(private readonly rules: ChannelTokenRules) {}

  /**
   * The token's end of validity (its `exp` plus the skew allowed) when the
   * request is authentic; otherwise why it is not (for logs; never includes the token).
   */
  async check(authHeader: string | undefined, activity: { serviceUrl?: unknown; channelId?: unknown }): Promise<{ ok: true; validUntil: Date } | { ok: false; why: string }> {
    const verdict = await this.verdict(authHeader, activity);
    if (typeof verdict === 'string') return { ok: false, why: verdict };
    return { ok: true, validUntil: new Date((verdict.exp + this.rules.skewSeconds) * 1000) };
  }

  /** The token's `exp` when the request is authentic, else why it is not. */
  private async verdict(authHeader: string | undefined, activity: { serviceUrl?: unknown; channelId?: unknown }): Promise<string | { exp: number }> {
    if (!authHeader) return 'no Authorization header';
    const match = /^Bearer ([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]*)$/.exec(authHeader);
    if (!match || authHeader.length > MAX_TOKEN_LENGTH) return 'malformed bearer token';
    const [, h, p, s] = match as unknown as [string, string, string, string];
    const header = decodeJson(h);
    const claims = decodeJson(p);
    if (!header || !claims) return 'malformed token';
    if (header.alg !== 'RS256') return `token algorithm ${String(header.alg).slice(0, 20)} not allowed`;
    if (!s) return 'unsigned token';
    if (claims.iss !== this.rules.issuer) return 'wrong issuer';
    if (claims.aud !== this.rules.appId) return 'wrong audience';
    const now = Math.floor((this.rules.now?.() ?? Date.now()) / 1000);
    if (typeof claims.exp !== 'number' || claims.exp + this.rules.skewSeconds < now) return 'expired token';
    if (claims.exp - now > this.rules.maxValidAheadSeconds) return 'token valid for longer than Bot Framework issues them';
    if (typeof claims.nbf === 'number' && claims.nbf - this.rules.skewSeconds > now) return 'token not yet valid';
    if (activity.channelId !== this.rules.channelId) return 'not a Teams activity';
    if (typeof activity.serviceUrl !== 'string' || claims.serviceurl !== activity.serviceUrl) return 'serviceurl claim does not match the activity';
    // The turn answers through this URL with the bot's token (replies, member lookups, card updates).
    if (!isTrustedServiceUrl(activity.serviceUrl)) return 'serviceUrl is not https';
    if (typeof header.kid !== 'string') return 'token names no key';
    let published: PublishedKey | undefined;
    try {
      published = await this.key(header.kid);
    } catch (err) {
      return `signing keys unavailable: ${(err as Error).message}`;
    }
    if (!published) return 'signing key not published';
    if (!published.endorsements.includes(this.rules.channelId)) return `signing key not endorsed for ${this.rules.channelId}`;
    const signed = verify('RSA-SHA256', Buffer.from(`${h}.${p}`), published.key, Buffer.from(s, 'base64url'));
    return signed ? { exp: claims.exp } : 'bad signature';
  }

  private async key(kid: string): Promise<PublishedKey | undefined> {
    const age = Date.now() - this.fetchedAt;
    if (age > KEYS_TTL_MS || (!this.keys.has(kid) && age > UNKNOWN_KID_REFRESH_MS)) {
      this.refreshing ??= this.refresh().finally(() => (this.refreshing = undefined));
      await this.refreshing;
    }
    return this.keys.get(kid);
  }

  private async refresh(): Promise<void> {
    const metadata = (await getJson(this.rules.openIdMetadataUrl)) as { jwks_uri?: unknown };
    if (typeof metadata.jwks_uri !== 'string' || !metadata.jwks_uri.startsWith('https://')) throw new Error('OpenID metadata has no https jwks_uri');
    const jwks = (await getJson(metadata.jwks_uri)) as { keys?: unknown };
    const keys = new Map<string, PublishedKey>();
    for (const k of Array.isArray(jwks.keys) ? (jwks.keys as Record<string, unknown>[]) : []) {
      if (k.kty !== 'RSA' || typeof k.kid !== 'string' || typeof k.n !== 'string' || typeof k.e !== 'string') continue;
      try {
        keys.set(k.kid, {
          key: createPublicKey({ key: { kty: 'RSA', n: k.n, e: k.e } as JsonWebKey, format: 'jwk' }),
          endorsements: Array.isArray(k.endorsements) ? k.endorsements.filter((e): e is string => typeof e === 'string') : [],
        });
      } catch {
        // A key we cannot read signs nothing we accept.
      }
    }
    this.keys = keys;
    this.fetchedAt = Date.now();
  }
}

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000), redirect: 'error' });
  if (!res.ok) throw new Error(`${new URL(url).host} answered ${res.status}`);
  return res.json();
}
