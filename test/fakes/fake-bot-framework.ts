import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { waitFor } from '../support/wait-for.js';

/**
 * Signing keys the fake publishes (or not). `msteams`: endorsed for Teams, as
 * Bot Framework's real channel keys are. `webchat`: published, endorsed for
 * another channel only. `bare`: published with no endorsements at all.
 * `unpublished`: a key nobody published, used under the msteams key's id (a forgery).
 */
export type FakeKey = 'msteams' | 'webchat' | 'bare' | 'unpublished';

export interface ChannelTokenOptions {
  /** The `serviceurl` claim; null leaves it out. */
  serviceUrl?: string | null;
  /** Default: the app id. */
  aud?: string;
  /** Default: https://api.botframework.com */
  iss?: string;
  /** Seconds from now; negative for an expired token. Default 3600. */
  expiresIn?: number;
  key?: FakeKey;
  /** `none` makes an unsigned token. */
  alg?: 'RS256' | 'none';
  extraClaims?: Record<string, unknown>;
}

/** One call to the connector API, as the fake received it. */
export interface ConnectorCall {
  /** create: POST /v3/conversations; send: POST …/activities; reply: POST …/activities/{id}; update: PUT …/activities/{id}; member: GET …/members/{id}. */
  kind: 'create' | 'send' | 'reply' | 'update' | 'member';
  method: string;
  path: string;
  /** The serviceUrl prefix the call went to (`/teams/`, `/emea/`, …). */
  region: string;
  conversationId?: string;
  activityId?: string;
  /** The activity id the fake answered a create, send or reply with: what later updates of that message name. */
  answeredId?: string;
  userId?: string;
  body: any;
  /** Whether the call carried a bot token this fake issued. */
  authorized: boolean;
  status: number;
  at: number;
}

export interface FailureScript {
  status: number;
  /** Seconds, sent as Retry-After (with 429). */
  retryAfter?: number;
  /** How many calls fail (default 1). */
  times?: number;
}

export interface TeamsMember {
  id: string;
  name?: string;
  aadObjectId?: string;
  userPrincipalName?: string;
  email?: string;
}

export interface FakeBotFrameworkOptions {
  appId: string;
  appPassword: string;
  /** Server key and certificate, signed by a CA the code under test trusts (NODE_EXTRA_CA_CERTS). */
  tls: { key: string; cert: string };
  /** Members the member lookup knows, by their Teams user id (29:…). */
  members?: TeamsMember[];
}

const ISSUER = 'https://api.botframework.com';

/**
 * A local Bot Framework, over https, for the real botbuilder:
 * - OpenID metadata and a JWKS whose keys sign channel tokens (channelToken);
 * - a login authority (MSAL's OpenID configuration and token endpoint) that
 *   issues the bot's own token for the app id and password;
 * - the connector API at any `https://127.0.0.1:PORT/<region>/` serviceUrl,
 *   recording every call, answering 401 without a token it issued, and
 *   scriptable to answer 429 (Retry-After), 5xx, 403 or 404.
 * Any other request is recorded in `unexpected` (nothing may go elsewhere).
 */
export class FakeBotFramework {
  readonly tokenRequests: { clientId?: string; scope?: string; ok: boolean }[] = [];
  readonly metadataRequests: string[] = [];
  readonly unexpected: string[] = [];
  private readonly recorded: ConnectorCall[] = [];
  private readonly failures = new Map<ConnectorCall['kind'], FailureScript & { times: number }>();
  private readonly issued = new Set<string>();
  private readonly keys: Record<FakeKey, { kid: string; privateKey: KeyObject; publicJwk?: Record<string, unknown> }>;
  private readonly members = new Map<string, TeamsMember>();
  private activityCounter = 0;

  private constructor(
    private readonly server: Server,
    private readonly opts: FakeBotFrameworkOptions,
  ) {
    const make = (endorsements: string[] | undefined, publish = true) => {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const kid = randomUUID();
      const jwk = publicKey.export({ format: 'jwk' });
      return { kid, privateKey, publicJwk: publish ? { ...jwk, kid, use: 'sig', ...(endorsements ? { endorsements } : {}) } : undefined };
    };
    const msteams = make(['msteams', 'webchat']);
    // A forgery: a key of its own, presented under the real key's id.
    const forged = make(undefined, false);
    this.keys = { msteams, webchat: make(['webchat']), bare: make(undefined), unpublished: { ...forged, kid: msteams.kid } };
    for (const m of opts.members ?? []) this.members.set(m.id, m);
  }

  static async start(opts: FakeBotFrameworkOptions): Promise<FakeBotFramework> {
    const server = createServer({ key: opts.tls.key, cert: opts.tls.cert });
    const fake = new FakeBotFramework(server, opts);
    server.on('request', (req, res) => {
      fake.handle(req, res).catch((err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err)));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    return fake;
  }

  get base(): string {
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** TEAMS_OPENID_METADATA_URL. */
  get openIdMetadataUrl(): string {
    return `${this.base}/v1/.well-known/openidconfiguration`;
  }

  /** TEAMS_LOGIN_URL (the botframework.com tenant; any other tenant path works too). */
  loginUrl(tenant = 'botframework.com'): string {
    return `${this.base}/${tenant}`;
  }

  /** A connector serviceUrl; Teams uses one per region, so tests can move a tenant between them. */
  serviceUrl(region = 'teams'): string {
    return `${this.base}/${region}/`;
  }

  /** A channel→bot token as Bot Framework would sign it for an activity from `serviceUrl`. */
  channelToken(o: ChannelTokenOptions = {}): string {
    const key = this.keys[o.key ?? 'msteams'];
    const now = Math.floor(Date.now() / 1000);
    const payload = {
      iss: o.iss ?? ISSUER,
      aud: o.aud ?? this.opts.appId,
      nbf: now - 60,
      exp: now + (o.expiresIn ?? 3600),
      ...(o.serviceUrl == null ? {} : { serviceurl: o.serviceUrl }),
      ...o.extraClaims,
    };
    const header = { alg: o.alg ?? 'RS256', typ: 'JWT', kid: key.kid };
    const signingInput = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(payload))}`;
    if (o.alg === 'none') return `${signingInput}.`;
    return `${signingInput}.${sign('RSA-SHA256', Buffer.from(signingInput), key.privateKey).toString('base64url')}`;
  }

  /** Adds or replaces a member the member lookup knows. */
  addMember(m: TeamsMember): void {
    this.members.set(m.id, m);
  }

  calls(kind?: ConnectorCall['kind']): ConnectorCall[] {
    return kind ? this.recorded.filter((c) => c.kind === kind) : [...this.recorded];
  }

  waitForCall(kind: ConnectorCall['kind'], predicate: (c: ConnectorCall) => boolean = () => true, timeoutMs = 10_000): Promise<ConnectorCall> {
    return waitFor(() => this.recorded.find((c) => c.kind === kind && predicate(c)), { timeoutMs, what: `a connector ${kind} call` });
  }

  failNext(kind: ConnectorCall['kind'], script: FailureScript): void {
    this.failures.set(kind, { ...script, times: script.times ?? 1 });
  }

  reset(): void {
    this.recorded.length = 0;
    this.failures.clear();
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((err) => (err ? reject(err) : resolve())));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.base);
    const path = url.pathname;
    const body = await readBody(req);
    const json = (status: number, value: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(value));
    };

    if (req.method === 'GET' && path === '/v1/.well-known/openidconfiguration') {
      this.metadataRequests.push(path);
      return json(200, { issuer: ISSUER, jwks_uri: `${this.base}/v1/keys`, id_token_signing_alg_values_supported: ['RS256'], token_endpoint_auth_methods_supported: ['private_key_jwt'] });
    }
    if (req.method === 'GET' && path === '/v1/keys') {
      this.metadataRequests.push(path);
      return json(200, { keys: Object.values(this.keys).map((k) => k.publicJwk).filter(Boolean) });
    }
    // MSAL: the authority's OpenID configuration, then the token endpoint.
    const authority = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(path);
    if (req.method === 'GET' && authority) {
      const t = `${this.base}/${authority[1]}`;
      return json(200, {
        token_endpoint: `${t}/oauth2/v2.0/token`,
        authorization_endpoint: `${t}/oauth2/v2.0/authorize`,
        issuer: `${t}/v2.0`,
        jwks_uri: `${t}/discovery/v2.0/keys`,
        end_session_endpoint: `${t}/oauth2/v2.0/logout`,
        response_types_supported: ['code', 'id_token', 'token'],
      });
    }
    if (req.method === 'POST' && /^\/[^/]+\/oauth2\/v2\.0\/token$/.test(path)) {
      const form = new URLSearchParams(body);
      const ok = form.get('client_id') === this.opts.appId && form.get('client_secret') === this.opts.appPassword && form.get('grant_type') === 'client_credentials';
      this.tokenRequests.push({ clientId: form.get('client_id') ?? undefined, scope: form.get('scope') ?? undefined, ok });
      if (!ok) return json(401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' });
      const token = `fake-bot-token-${randomUUID()}`;
      this.issued.add(token);
      return json(200, { token_type: 'Bearer', expires_in: 3600, ext_expires_in: 3600, access_token: token });
    }

    const connector = /^\/([^/]+)\/v3\/conversations(?:\/([^/]+)(?:\/(activities|members)(?:\/([^/]+))?)?)?$/.exec(path);
    const kind = connector ? connectorKind(req.method ?? '', connector) : undefined;
    if (!connector || !kind) {
      this.unexpected.push(`${req.method} ${path}`);
      return json(404, { error: { code: 'NotFound', message: 'unknown path' } });
    }
    const [, region, rawConversation, , rawSub] = connector;
    const auth = req.headers.authorization ?? '';
    const authorized = auth.startsWith('Bearer ') && this.issued.has(auth.slice('Bearer '.length));
    const call: ConnectorCall = {
      kind,
      method: req.method ?? '',
      path,
      region: `/${region}/`,
      conversationId: rawConversation ? decodeURIComponent(rawConversation) : undefined,
      activityId: kind !== 'member' && rawSub ? decodeURIComponent(rawSub) : undefined,
      userId: kind === 'member' && rawSub ? decodeURIComponent(rawSub) : undefined,
      body: body ? safeParse(body) : undefined,
      authorized,
      status: 200,
      at: Date.now(),
    };
    this.recorded.push(call);
    if (!authorized) {
      call.status = 401;
      return json(401, { message: 'Authorization has been denied for this request.' });
    }
    const failure = this.failures.get(kind);
    if (failure && failure.times > 0) {
      failure.times -= 1;
      if (failure.times === 0) this.failures.delete(kind);
      call.status = failure.status;
      const headers: Record<string, string> = failure.retryAfter === undefined ? {} : { 'retry-after': String(failure.retryAfter) };
      return json(failure.status, { error: { code: failure.status === 403 ? 'BotNotInConversationRoster' : failure.status === 404 ? 'ConversationNotFound' : 'ServiceError', message: `scripted ${failure.status}` } }, headers);
    }
    switch (kind) {
      case 'create': {
        const id = `a:${randomUUID()}`;
        call.answeredId = this.nextActivityId();
        return json(201, { id, activityId: call.answeredId, serviceUrl: this.serviceUrl(region) });
      }
      case 'send':
      case 'reply':
        call.answeredId = this.nextActivityId();
        return json(201, { id: call.answeredId });
      case 'update':
        return json(200, { id: call.activityId });
      case 'member': {
        const m = this.members.get(call.userId ?? '');
        if (!m) {
          call.status = 404;
          return json(404, { error: { code: 'MemberNotFoundInConversation', message: 'The member was not found' } });
        }
        return json(200, { ...m, objectId: m.aadObjectId, tenantId: undefined });
      }
    }
  }

  private nextActivityId(): string {
    this.activityCounter += 1;
    return `17000000000${String(this.activityCounter).padStart(2, '0')}`;
  }
}

function connectorKind(method: string, m: RegExpExecArray): ConnectorCall['kind'] | undefined {
  const [, , conversation, sub, id] = m;
  if (!conversation) return method === 'POST' ? 'create' : undefined;
  if (sub === 'activities' && !id) return method === 'POST' ? 'send' : undefined;
  if (sub === 'activities' && id) return method === 'POST' ? 'reply' : method === 'PUT' ? 'update' : undefined;
  if (sub === 'members' && id) return method === 'GET' ? 'member' : undefined;
  return undefined;
}

const b64 = (s: string) => Buffer.from(s).toString('base64url');

function safeParse(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
