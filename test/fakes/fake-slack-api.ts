import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '../support/wait-for.js';

/** One Web API call as the fake received it. */
export interface RecordedCall {
  method: string;
  body: Record<string, unknown>;
  /** The bearer token from the Authorization header (or the `token` form field), if any. */
  token: string | undefined;
  /** The HTTP status the fake answered with (429 and 5xx when scripted to fail). */
  status: number;
  at: Date;
  /** Set when the fake answered 429 because the call was over an enforced limit (`limits`), not because a test scripted it. */
  overLimit?: 'channel' | 'method';
}

/** A token bucket: one call per `everyMs` on average, up to `burst` at once after a quiet spell. */
export interface Limit {
  everyMs: number;
  burst: number;
}

/** Limits the fake enforces, each answered as Slack does: HTTP 429 `ratelimited` with Retry-After (whole seconds). */
export interface SlackLimits {
  /** chat.postMessage per channel. */
  postMessagePerChannel?: Limit;
  /** Per method per workspace (every call of a token counts against its method's bucket). */
  methods?: Record<string, Limit>;
}

/**
 * Slack's documented limits (https://docs.slack.dev/apis/web-api/rate-limits)
 * as this fake models them: chat.postMessage about one a second per channel
 * with short bursts (Slack does not say how short: 5 here); Tier 3 methods
 * "50+ per minute, sporadic bursts welcome" (50 a minute, bursts of 50);
 * Tier 2 20 a minute; Tier 4 100 a minute. chat.postMessage's workspace-wide
 * limit is not documented as a number and is not modelled.
 */
export const SLACK_LIMITS: SlackLimits = {
  postMessagePerChannel: { everyMs: 1_000, burst: 5 },
  methods: {
    'chat.update': { everyMs: 1_200, burst: 50 },
    'conversations.history': { everyMs: 1_200, burst: 50 },
    'usergroups.users.list': { everyMs: 3_000, burst: 20 },
    'chat.postEphemeral': { everyMs: 600, burst: 100 },
    'users.info': { everyMs: 600, burst: 100 },
    'views.open': { everyMs: 600, burst: 100 },
  },
};

/**
 * How the next calls to a method fail: `retryAfter` answers HTTP 429 with a
 * Retry-After header (seconds), `status` answers that HTTP status, `error`
 * answers HTTP 200 `{ ok: false, error }`; with none of them, HTTP 500.
 * `times` (default 1) calls fail.
 */
export interface FailureScript {
  status?: number;
  retryAfter?: number;
  error?: string;
  times?: number;
}

export interface FakeSlackApiOptions {
  /** users.info answers with these emails (by user id); other users have no email, as without users:read.email. */
  emails?: Record<string, string>;
  /** usergroups.users.list answers with these members (by usergroup id); others are `no_such_subteam`. */
  usergroups?: Record<string, string[]>;
  /** Enforce these limits (e.g. SLACK_LIMITS); none by default, so a test sees only the failures it scripts. */
  limits?: SlackLimits;
  /** The app's OAuth credentials: oauth.v2.access refuses any others. */
  oauth?: { clientId: string; clientSecret: string };
}

/**
 * What the next visit of the authorize page installs, once the person there
 * allows it: into one workspace (`team`), or, with `isEnterpriseInstall`,
 * into a whole Enterprise Grid organisation (`enterprise`) whose workspaces
 * `orgTeams` are then served by the one token.
 */
export interface InstallGrant {
  team?: { id: string; name?: string };
  enterprise?: { id: string; name?: string };
  isEnterpriseInstall?: boolean;
  orgTeams?: string[];
  /** Token rotation on: the bot token expires after this many seconds and comes with a refresh token. */
  expiresIn?: number;
  /** The user who installed the app. */
  installer?: string;
}

/** A bot token the fake issued, and who it speaks for. */
export interface IssuedToken {
  token: string;
  teamId?: string;
  enterpriseId?: string;
  isEnterpriseInstall: boolean;
  orgTeams: string[];
  botUserId: string;
  botId: string;
  refreshToken?: string;
}

// Fields the WebClient JSON-encodes inside a form body.
const JSON_FIELDS = ['blocks', 'view', 'attachments', 'metadata'];

/**
 * A local HTTP server that speaks enough of the Slack Web API for a real
 * `WebClient` with `slackApiUrl: fake.url`. It records every call and can be
 * scripted to fail or to hang, and asked to enforce Slack's rate limits
 * (`limits`, e.g. SLACK_LIMITS). It checks no token, except that auth.test
 * and auth.teams.list answer for the tokens it issued itself; it keeps the
 * messages posted per channel, so conversations.history can answer (Airlock
 * uses it to find a card posted by a worker that died before saving it).
 *
 * It also plays Slack's side of an OAuth v2 install: `GET
 * /oauth/v2/authorize` (the page a browser is sent to) answers as if the
 * person there clicked Allow, redirecting to the app's `redirect_uri` with a
 * one-time code for what `grantNextInstall` said; `oauth.v2.access` trades
 * the code (or a refresh token) for a bot token of its own.
 */
export class FakeSlackApi {
  readonly emails: Record<string, string>;
  readonly usergroups: Record<string, string[]>;
  private readonly recorded: RecordedCall[] = [];
  private readonly failures = new Map<string, FailureScript & { status: number; times: number }>();
  private tsCounter = 0;
  private readonly channels = new Map<string, { ts: string; text?: unknown; metadata?: unknown }[]>();
  private readonly hanging = new Map<string, number>();
  private readonly warnings = new Map<string, string>();
  private limits: SlackLimits | undefined;
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly oauth: FakeSlackApiOptions['oauth'];
  private readonly grants: (InstallGrant | { refuse: string })[] = [];
  private readonly codes = new Map<string, { grant: InstallGrant; redirectUri: string; scope: string }>();
  private readonly issued = new Map<string, IssuedToken & { scope: string; url: string }>();
  private issuedCount = 0;

  private constructor(
    private readonly server: Server,
    options: FakeSlackApiOptions,
  ) {
    this.emails = { ...options.emails };
    this.usergroups = { ...options.usergroups };
    this.limits = options.limits;
    this.oauth = options.oauth;
  }

  static async start(options: FakeSlackApiOptions = {}): Promise<FakeSlackApi> {
    const server = createServer();
    const fake = new FakeSlackApi(server, options);
    server.on('request', (req, res) => {
      fake.handle(req, res).catch((err: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    return fake;
  }

  /** The `slackApiUrl` for a WebClient (or `SLACK_API_URL`): `http://127.0.0.1:PORT/api/`. */
  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/api/`;
  }

  /** Slack's authorize page on this fake (what Airlock derives from `SLACK_API_URL`). */
  get authorizeUrl(): string {
    return new URL('../oauth/v2/authorize', this.url).toString();
  }

  /** The next visit of the authorize page installs this (visits with nothing granted are answered 400). */
  grantNextInstall(grant: InstallGrant): void {
    this.grants.push(grant);
  }

  /** The next visit of the authorize page ends as Slack ends a refusal: a redirect with `error` (default `access_denied`) instead of a code. */
  refuseNextInstall(error = 'access_denied'): void {
    this.grants.push({ refuse: error });
  }

  /** Bot tokens issued so far, oldest first; of one workspace or organisation when `id` is given. */
  tokens(id?: string): IssuedToken[] {
    return [...this.issued.values()].filter((t) => id === undefined || t.teamId === id || t.enterpriseId === id).map(({ scope: _s, url: _u, ...t }) => t);
  }

  /** The newest bot token issued for a workspace or organisation. */
  tokenOf(id: string): string {
    const token = this.tokens(id).at(-1)?.token;
    if (!token) throw new Error(`the fake issued no token for ${id}`);
    return token;
  }

  /** Calls so far, oldest first, optionally of one method only. */
  calls(method?: string): RecordedCall[] {
    return method === undefined ? [...this.recorded] : this.recorded.filter((c) => c.method === method);
  }

  /** Polls until a call of `method` matching `predicate` has arrived, and returns the first such call. */
  waitForCall(method: string, predicate: (call: RecordedCall) => boolean = () => true, timeoutMs = 5000): Promise<RecordedCall> {
    return waitFor(() => this.recorded.find((c) => c.method === method && predicate(c)), {
      timeoutMs,
      what: `a Slack ${method} call`,
    });
  }

  failNext(method: string, script: FailureScript): void {
    const status = script.status ?? (script.retryAfter !== undefined ? 429 : script.error !== undefined ? 200 : 500);
    this.failures.set(method, { ...script, status, times: script.times ?? 1 });
  }

  /**
   * The next `times` calls of `method` are carried out (a postMessage is posted)
   * but never answered, as when the caller dies mid-request.
   */
  hangNext(method: string, times = 1): void {
    this.hanging.set(method, times);
  }

  /**
   * The next successful call of `method` carries `warning` the way Slack
   * flags a call it accepted but wants changed (`warning` and
   * `response_metadata.warnings`); the WebClient logs it.
   */
  warnNext(method: string, warning: string): void {
    this.warnings.set(method, warning);
  }

  /** From now on enforce these limits (undefined: none); buckets start full. */
  enforceLimits(limits: SlackLimits | undefined): void {
    this.limits = limits;
    this.buckets.clear();
  }

  /** Calls answered 429 because they were over an enforced limit. */
  overLimit(method?: string): RecordedCall[] {
    return this.recorded.filter((c) => c.overLimit && (method === undefined || c.method === method));
  }

  /** Messages in a channel (top-level and thread replies), oldest first. */
  messages(channel: string) {
    return [...(this.channels.get(channel) ?? [])];
  }

  /** Forgets recorded calls, messages, pending failures, hangs and grants; keeps the emails, usergroups and the tokens it issued. */
  reset(): void {
    this.recorded.length = 0;
    this.grants.length = 0;
    this.failures.clear();
    this.hanging.clear();
    this.warnings.clear();
    this.channels.clear();
    this.buckets.clear();
  }

  async close(): Promise<void> {
    // The WebClient's fetch keeps connections alive; without this close() would wait for them to idle out.
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((err) => (err ? reject(err) : resolve())));
  }

  /** The HTTP server, for attaching a fake Socket Mode endpoint (test/fakes/fake-socket-mode.ts). */
  get httpServer(): Server {
    return this.server;
  }

  /** Where a slash command's `response_url` should point: replies to it are recorded as method `response_url`. */
  responseUrl(id = 'cmd'): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/respond/${id}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'POST' && req.url?.startsWith('/respond/')) {
      const body = parseBody(await readBody(req), req.headers['content-type'] ?? '');
      this.recorded.push({ method: 'response_url', body: { ...body, response_id: req.url.slice('/respond/'.length) }, token: undefined, status: 200, at: new Date() });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true }));
      return;
    }
    if (req.method === 'GET' && new URL(req.url ?? '/', 'http://fake').pathname === '/oauth/v2/authorize') {
      this.authorize(req, res);
      return;
    }
    const match = /^\/api\/([A-Za-z0-9_.]+)$/.exec(new URL(req.url ?? '/', 'http://fake').pathname);
    if (req.method !== 'POST' || !match?.[1]) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error: 'unknown_method' }));
      return;
    }
    const method = match[1];
    const body = parseBody(await readBody(req), req.headers['content-type'] ?? '');
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    const token = auth?.[1] ?? (typeof body.token === 'string' ? body.token : undefined);
    const over = this.overLimit429(method, token, body);
    if (over) {
      this.recorded.push({ method, body, token, status: 429, at: new Date(), overLimit: over.what });
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(over.retryAfter) }).end(JSON.stringify({ ok: false, error: 'ratelimited' }));
      return;
    }
    const failure = this.takeFailure(method);
    const status = failure?.status ?? 200;
    this.recorded.push({ method, body, token, status, at: new Date() });

    if (failure && status !== 200) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (failure.retryAfter !== undefined) headers['retry-after'] = String(failure.retryAfter);
      res.writeHead(status, headers).end(JSON.stringify({ ok: false, error: status === 429 ? 'ratelimited' : 'internal_error' }));
      return;
    }
    const answer = failure?.error ? { ok: false, error: failure.error } : this.withWarning(method, this.answer(method, body, token, req.headers.authorization));
    const hang = this.hanging.get(method);
    if (hang) {
      if (hang <= 1) this.hanging.delete(method);
      else this.hanging.set(method, hang - 1);
      return; // never answered; the connection is dropped at close()
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
  }

  /**
   * Takes a token from each bucket the call counts against (its method's in
   * the workspace, and for chat.postMessage its channel's); when one is
   * empty, nothing is taken and the answer is a 429 with the whole seconds
   * until that bucket has a token again.
   */
  private overLimit429(method: string, token: string | undefined, body: Record<string, unknown>): { what: 'channel' | 'method'; retryAfter: number } | undefined {
    if (!this.limits) return undefined;
    const checks: { key: string; limit: Limit; what: 'channel' | 'method' }[] = [];
    const perMethod = this.limits.methods?.[method];
    if (perMethod) checks.push({ key: `${token}|${method}`, limit: perMethod, what: 'method' });
    if (method === 'chat.postMessage' && this.limits.postMessagePerChannel) {
      checks.push({ key: `${token}|channel|${String(body.channel)}`, limit: this.limits.postMessagePerChannel, what: 'channel' });
    }
    const now = Date.now();
    const buckets = checks.map((c) => {
      const b = this.buckets.get(c.key) ?? { tokens: c.limit.burst, at: now };
      b.tokens = Math.min(c.limit.burst, b.tokens + (now - b.at) / c.limit.everyMs);
      b.at = now;
      this.buckets.set(c.key, b);
      return { ...c, bucket: b };
    });
    const empty = buckets.find((b) => b.bucket.tokens < 1);
    if (empty) return { what: empty.what, retryAfter: Math.max(1, Math.ceil(((1 - empty.bucket.tokens) * empty.limit.everyMs) / 1000)) };
    for (const b of buckets) b.bucket.tokens -= 1;
    return undefined;
  }

  private withWarning(method: string, answer: Record<string, unknown>): Record<string, unknown> {
    const warning = this.warnings.get(method);
    if (!warning || answer.ok !== true) return answer;
    this.warnings.delete(method);
    return { ...answer, warning, response_metadata: { warnings: [warning] } };
  }

  private takeFailure(method: string): (FailureScript & { status: number }) | undefined {
    const failure = this.failures.get(method);
    if (!failure) return undefined;
    failure.times -= 1;
    if (failure.times <= 0) this.failures.delete(method);
    return failure;
  }

  /**
   * Slack's authorize page, as if the person there clicked Allow: records the
   * visit (as method `oauth.authorize`, its query as the body) and redirects
   * to `redirect_uri` with a one-time code and the app's `state`.
   */
  private authorize(req: IncomingMessage, res: ServerResponse): void {
    const query = Object.fromEntries(new URL(req.url ?? '/', 'http://fake').searchParams);
    this.recorded.push({ method: 'oauth.authorize', body: query, token: undefined, status: 302, at: new Date() });
    const next = this.grants.shift();
    if (!next || !query.redirect_uri || (this.oauth && query.client_id !== this.oauth.clientId)) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('invalid_client_id, or nothing granted');
      return;
    }
    const back = new URL(query.redirect_uri);
    if ('refuse' in next) {
      back.searchParams.set('error', next.refuse);
    } else {
      const code = `code-${randomUUID()}`;
      this.codes.set(code, { grant: next, redirectUri: query.redirect_uri, scope: query.scope ?? '' });
      back.searchParams.set('code', code);
    }
    if (query.state) back.searchParams.set('state', query.state);
    res.writeHead(302, { location: back.toString() }).end();
  }

  /** oauth.v2.access: a code (once, for the redirect_uri it was issued to) or a refresh token, for a bot token. */
  private access(body: Record<string, unknown>, authorization: string | undefined): Record<string, unknown> {
    const basic = /^Basic (.+)$/.exec(authorization ?? '');
    const [clientId, secret] = basic ? Buffer.from(basic[1]!, 'base64').toString('utf8').split(':') : [body.client_id, body.client_secret];
    if (this.oauth && clientId !== this.oauth.clientId) return { ok: false, error: 'invalid_client_id' };
    if (this.oauth && secret !== this.oauth.clientSecret) return { ok: false, error: 'bad_client_secret' };
    if (body.grant_type === 'refresh_token') {
      const old = [...this.issued.values()].find((t) => t.refreshToken !== undefined && t.refreshToken === body.refresh_token);
      if (!old) return { ok: false, error: 'invalid_refresh_token' };
      const fresh = this.issue({ ...old, refreshToken: `xoxe-refresh-${randomUUID()}` }, old.scope, old.url);
      return { ok: true, token_type: 'bot', access_token: fresh.token, refresh_token: fresh.refreshToken, expires_in: 43_200, scope: old.scope, bot_user_id: old.botUserId, app_id: 'A0AIRLOCK', team: old.teamId ? { id: old.teamId } : null, enterprise: old.enterpriseId ? { id: old.enterpriseId } : null };
    }
    const issued = this.codes.get(String(body.code));
    if (!issued) return { ok: false, error: 'invalid_code' };
    this.codes.delete(String(body.code));
    if (body.redirect_uri !== issued.redirectUri) return { ok: false, error: 'bad_redirect_uri' };
    const { grant } = issued;
    const orgWide = grant.isEnterpriseInstall === true;
    const id = (orgWide ? grant.enterprise?.id : grant.team?.id) ?? 'T0UNKNOWN';
    const token = this.issue(
      {
        teamId: orgWide ? undefined : grant.team?.id,
        enterpriseId: grant.enterprise?.id,
        isEnterpriseInstall: orgWide,
        orgTeams: grant.orgTeams ?? [],
        botUserId: `U0BOT${id}`,
        botId: `B0BOT${id}`,
        ...(grant.expiresIn !== undefined ? { refreshToken: `xoxe-refresh-${randomUUID()}` } : {}),
      },
      issued.scope,
      `https://${id.toLowerCase()}.slack.com/`,
    );
    return {
      ok: true,
      app_id: 'A0AIRLOCK',
      authed_user: { id: grant.installer ?? 'U0INSTALLER' },
      scope: issued.scope,
      token_type: 'bot',
      access_token: token.token,
      bot_user_id: token.botUserId,
      team: orgWide || !grant.team ? null : { id: grant.team.id, name: grant.team.name ?? grant.team.id },
      enterprise: grant.enterprise ? { id: grant.enterprise.id, name: grant.enterprise.name ?? grant.enterprise.id } : null,
      is_enterprise_install: orgWide,
      ...(grant.expiresIn !== undefined ? { refresh_token: token.refreshToken, expires_in: grant.expiresIn } : {}),
    };
  }

  private issue(who: Omit<IssuedToken, 'token'>, scope: string, url: string): IssuedToken {
    this.issuedCount += 1;
    const token = `xoxb-${who.teamId ?? who.enterpriseId ?? 'x'}-${this.issuedCount}-${randomUUID().slice(0, 8)}`;
    const issued = { ...who, token, scope, url };
    this.issued.set(token, issued);
    return issued;
  }

  private answer(method: string, body: Record<string, unknown>, token?: string, authorization?: string): Record<string, unknown> {
    const mine = token === undefined ? undefined : this.issued.get(token);
    switch (method) {
      case 'oauth.v2.access':
        return this.access(body, authorization);
      case 'auth.teams.list':
        return mine ? { ok: true, teams: mine.orgTeams.map((id) => ({ id, name: id })) } : { ok: false, error: 'not_an_enterprise' };
      case 'chat.postMessage': {
        const ts = this.nextTs();
        const list = this.channels.get(String(body.channel)) ?? [];
        list.push({ ts, text: body.text, metadata: body.metadata });
        this.channels.set(String(body.channel), list);
        return {
          ok: true,
          channel: body.channel,
          ts,
          message: { type: 'message', ts, text: body.text, blocks: body.blocks, user: 'UBOT', bot_id: 'B1' },
        };
      }
      case 'chat.update':
        return { ok: true, channel: body.channel, ts: body.ts, text: body.text };
      case 'chat.postEphemeral':
        return { ok: true, message_ts: this.nextTs() };
      case 'views.open':
      case 'views.update':
      case 'views.push':
        return { ok: true, view: { id: `V${String(this.recorded.length).padStart(8, '0')}`, ...(body.view as object) } };
      case 'users.info': {
        const id = String(body.user);
        const email = this.emails[id];
        return { ok: true, user: { id, name: id.toLowerCase(), profile: email ? { email } : {} } };
      }
      case 'usergroups.users.list': {
        const users = this.usergroups[String(body.usergroup)];
        return users ? { ok: true, users } : { ok: false, error: 'no_such_subteam' };
      }
      case 'conversations.history': {
        const oldest = Number(body.oldest ?? 0);
        const messages = (this.channels.get(String(body.channel)) ?? [])
          .filter((m) => Number(m.ts) > oldest)
          .reverse()
          .map((m) => ({ type: 'message', ts: m.ts, text: m.text, ...(body.include_all_metadata ? { metadata: m.metadata } : {}) }));
        return { ok: true, messages, has_more: false };
      }
      case 'apps.connections.open': {
        const { port } = this.server.address() as AddressInfo;
        return { ok: true, url: `ws://127.0.0.1:${port}/socket-mode` };
      }
      case 'auth.test':
        if (mine) {
          return {
            ok: true,
            url: mine.url,
            team: mine.teamId ?? mine.enterpriseId,
            user: 'airlock',
            team_id: mine.teamId ?? mine.enterpriseId,
            ...(mine.enterpriseId ? { enterprise_id: mine.enterpriseId } : {}),
            user_id: mine.botUserId,
            bot_id: mine.botId,
            is_enterprise_install: mine.isEnterpriseInstall,
          };
        }
        return { ok: true, url: 'https://acme.slack.com/', team: 'Acme', user: 'airlock', team_id: 'T0ACME', user_id: 'UBOT', bot_id: 'B1' };
      default:
        return { ok: true };
    }
  }

  /** Slack message timestamps are the posting time, unique per channel; unique overall is enough here. */
  private nextTs(): string {
    this.tsCounter += 1;
    return `${Math.floor(Date.now() / 1000)}.${String(this.tsCounter).padStart(6, '0')}`;
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

function parseBody(raw: string, contentType: string): Record<string, unknown> {
  if (raw.length === 0) return {};
  const body: Record<string, unknown> = contentType.startsWith('application/json')
    ? (JSON.parse(raw) as Record<string, unknown>)
    : Object.fromEntries(new URLSearchParams(raw));
  for (const field of JSON_FIELDS) {
    const value = body[field];
    if (typeof value === 'string') {
      try {
        body[field] = JSON.parse(value);
      } catch {
        // Leave it as sent: a test asserting on it will see exactly what the client posted.
      }
    }
  }
  return body;
}
