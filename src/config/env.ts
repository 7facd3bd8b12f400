import { z } from 'zod';
import { parseDuration } from '../domain/duration.js';
import { EMPTY_ALLOW_LIST, parseCallbackAllowList } from './callback-allow.js';

const optionalString = z.string().trim().min(1).optional();
const url = (protocols: RegExp) =>
  z.url({ protocol: protocols }).optional();

/** A duration such as `500ms`, `10s`, `2m` between `min` and `max` milliseconds, parsed to milliseconds. */
const duration = (fallback: string, min: number, max: number, hint = '') =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined) ctx.issues.push({ code: 'custom', message: 'must be a duration such as 500ms, 10s or 2m', input: text });
      else if (ms < min || ms > max) ctx.issues.push({ code: 'custom', message: `must be between ${min} ms and ${max} ms${hint}`, input: text });
      return ms ?? 0;
    });

/** The longest `?wait` (seconds): an idle timeout must outlast it, or long-polls would be cut. */
const LONGEST_WAIT_MS = 60_000;

/** OTLP over HTTP: the exporter sends JSON, which every OTLP/HTTP receiver takes whatever this says; gRPC is another port and protocol. */
const otlpProtocol = z.enum(['http/json', 'http/protobuf'], { message: 'must be http/json or http/protobuf (Airlock exports OTLP over HTTP, not gRPC)' }).optional();

/** Every variable Airlock reads, parsed once at start. */
export const envSchema = z.object({
  DATABASE_URL: url(/^postgres(ql)?$/),
  REDIS_URL: url(/^rediss?$/),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  POLICY_FILE: optionalString,
  /** A candidate policy every live request is also evaluated against, recorded and never enforced. */
  POLICY_SHADOW_FILE: optionalString,
  AIRLOCK_ROLE: z.enum(['api', 'worker', 'all']).default('all'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `json`: one JSON object per line, for machines; `pretty`: one readable line per record, for a person at a terminal. */
  LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
  SLACK_BOT_TOKEN: optionalString,
  SLACK_SIGNING_SECRET: optionalString,
  SLACK_APP_TOKEN: optionalString,
  SLACK_API_URL: z.url({ protocol: /^https?$/ }).default('https://slack.com/api/'),
  /**
   * Slack across workspaces (docs/slack.md, One workspace or many): the app's
   * OAuth credentials, and the secret that signs each install's state. Set
   * instead of SLACK_BOT_TOKEN; every workspace's installation brings its own token.
   */
  SLACK_CLIENT_ID: optionalString,
  SLACK_CLIENT_SECRET: optionalString,
  SLACK_STATE_SECRET: z.string().min(32, 'must be at least 32 characters (e.g. `openssl rand -hex 32`)').optional(),
  TEAMS_APP_ID: optionalString,
  TEAMS_APP_PASSWORD: optionalString,
  TEAMS_APP_TENANT_ID: optionalString,
  /** Where Bot Framework publishes the keys that sign channel tokens; overridable for sovereign clouds, proxies and tests. */
  TEAMS_OPENID_METADATA_URL: z.url({ protocol: /^https$/ }).default('https://login.botframework.com/v1/.well-known/openidconfiguration'),
  /**
   * The authority the bot gets its own token from. https only: the app
   * password is sent there. Default: login.microsoftonline.com/botframework.com,
   * or the tenant's authority for a single-tenant bot (see loadEnv).
   */
  TEAMS_LOGIN_URL: z.url({ protocol: /^https$/ }).optional(),
  /** Where the embedded Postgres keeps its data when DATABASE_URL is unset. */
  AIRLOCK_DATA_DIR: z.string().min(1).default('.data'),
  /**
   * Keys every stored digest of arguments (HMAC-SHA256), so a digest of a
   * redacted value cannot be inverted by guessing. Never stored in the
   * database; with the embedded database it is generated under AIRLOCK_DATA_DIR.
   */
  AIRLOCK_SECRET: z.string().min(32, 'must be at least 32 characters (e.g. `openssl rand -hex 32`)').optional(),
  /** Public base URL used in links on cards (audit record links) and for the console's sign-in redirect. */
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /**
   * The web console's identity provider (OpenID Connect): served at /console
   * only when set. https, except on a loopback host (tests, a local IdP).
   */
  OIDC_ISSUER: z.url({ protocol: /^https?$/ }).optional(),
  OIDC_CLIENT_ID: optionalString,
  OIDC_CLIENT_SECRET: optionalString,
  /**
   * `mcp-gateway`'s defaults for --agent-key, --url and --requester. The key
   * belongs in a variable rather than argv, where `ps` shows it.
   */
  AIRLOCK_AGENT_KEY: optionalString,
  AIRLOCK_URL: optionalString,
  AIRLOCK_REQUESTER: optionalString,
  /**
   * Abuse limits (README, Operations → Abuse limits). Requests one agent may
   * make per window, across every process; 0 turns the limit off. The default
   * is well above what one agent reaches on the intake benchmark.
   */
  AIRLOCK_RATE_LIMIT_PER_AGENT: z.coerce.number().int().min(0).default(10_000),
  AIRLOCK_RATE_LIMIT_WINDOW: duration('1s', 1_000, 3_600_000),
  /** Connections this process's Postgres pool may open (queue workers and notification listeners have their own). */
  AIRLOCK_DB_POOL_SIZE: z.coerce.number().int().min(2).max(500).default(20),
  /** Concurrent `GET /v1/actions/:id?wait=N` one agent may hold open on one process. */
  AIRLOCK_MAX_WAITS_PER_AGENT: z.coerce.number().int().min(1).default(200),
  /** Time a client has to send the request's headers, and the whole request (body included). */
  AIRLOCK_HEADERS_TIMEOUT: duration('10s', 100, 600_000),
  AIRLOCK_REQUEST_TIMEOUT: duration('30s', 100, 600_000),
  /** A connection with no bytes in either direction for this long is closed; longer than the longest `?wait`. */
  AIRLOCK_IDLE_TIMEOUT: duration('90s', LONGEST_WAIT_MS + 1, 3_600_000, ' (longer than the longest ?wait, 60 s)'),
  /**
   * Cards and card updates are sent within the chat platforms' rate limits,
   * paced across every process (README, Approvals → Chat platform limits).
   * `off` only for a Slack-compatible server without Slack's limits, and tests.
   */
  AIRLOCK_CHAT_PACING: z.enum(['on', 'off']).default('on'),
  /**
   * Internal callback receivers this deployment allows: comma-separated host
   * names, IP addresses or CIDR ranges. Every other loopback, private,
   * link-local or unique-local target is refused, at intake and at delivery.
   */
  AIRLOCK_CALLBACK_ALLOW: z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined) return EMPTY_ALLOW_LIST;
      const { list, invalid } = parseCallbackAllowList(text);
      // The entries are host names and addresses, not secrets: naming the bad ones is the clearest message.
      if (invalid.length > 0) ctx.issues.push({ code: 'custom', message: `not a host name, IP address or CIDR range: ${invalid.join(', ')}`, input: text });
      return list;
    }),
  /**
   * Where every sealed audit event is pushed, in signed batches (docs/audit.md,
   * Streaming to a SIEM). https, except on a loopback host; with AUDIT_SINK_SECRET.
   */
  AUDIT_SINK_URL: z
    .string()
    .optional()
    .superRefine((text, ctx) => {
      const problem = text === undefined ? undefined : auditSinkUrlProblem(text);
      if (problem) ctx.issues.push({ code: 'custom', message: problem, input: text });
    }),
  /** Keys the batches' Airlock-Signature, as an agent's callback secret keys its callbacks. */
  AUDIT_SINK_SECRET: z.string().min(32, 'must be at least 32 characters (e.g. `openssl rand -hex 32`)').optional(),
  /** The longest wait between two attempts while the audit sink fails (the wait doubles from 500 ms up to it). */
  AIRLOCK_AUDIT_SINK_MAX_BACKOFF: duration('1m', 500, 3_600_000),
  /**
   * OpenTelemetry traces (Operations → Traces): on when either endpoint is
   * set. The SDK reads these and every other standard OTEL_* variable itself;
   * the ones checked here stop the start when wrong, where the SDK would
   * only print a warning and carry on with a default.
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: otlpProtocol,
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: otlpProtocol,
  OTEL_TRACES_EXPORTER: z.enum(['otlp', 'none'], { message: 'must be otlp or none (Airlock exports traces over OTLP only)' }).optional(),
  OTEL_TRACES_SAMPLER: z
    .enum(['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'])
    .optional(),
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).optional(),
  OTEL_SDK_DISABLED: z.string().transform((v) => v.trim().toLowerCase() === 'true').optional(),
});

/** The parsed environment; TEAMS_LOGIN_URL always has its default resolved (it depends on TEAMS_APP_TENANT_ID). */
export type Env = Omit<z.infer<typeof envSchema>, 'TEAMS_LOGIN_URL'> & { TEAMS_LOGIN_URL: string };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment. Empty strings count as unset (a common shell
 * artefact). Messages name the variable but never echo its value, which may be
 * a secret.
 */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const env = parsed.data;
  if (env.DATABASE_URL && !env.AIRLOCK_SECRET) {
    throw new ConfigError([
      'AIRLOCK_SECRET: required when DATABASE_URL is set (at least 32 characters, e.g. `openssl rand -hex 32`); it keys the digests of arguments and must be the same for every Airlock process of this database',
    ]);
  }
  if (env.SLACK_BOT_TOKEN && !env.SLACK_SIGNING_SECRET && !env.SLACK_APP_TOKEN) {
    throw new ConfigError(['SLACK_SIGNING_SECRET: required when SLACK_BOT_TOKEN is set without SLACK_APP_TOKEN']);
  }
  if (env.TEAMS_APP_PASSWORD && !env.TEAMS_APP_ID) {
    throw new ConfigError(['TEAMS_APP_ID: required when TEAMS_APP_PASSWORD is set']);
  }
  if (env.AIRLOCK_HEADERS_TIMEOUT > env.AIRLOCK_REQUEST_TIMEOUT) {
    throw new ConfigError(['AIRLOCK_HEADERS_TIMEOUT: must not be longer than AIRLOCK_REQUEST_TIMEOUT (the headers are part of the request)']);
  }
  if (env.TEAMS_APP_ID && !env.TEAMS_APP_PASSWORD) {
    throw new ConfigError(['TEAMS_APP_PASSWORD: required when TEAMS_APP_ID is set (there is no unauthenticated Teams mode)']);
  }
  if (env.AUDIT_SINK_URL && !env.AUDIT_SINK_SECRET) {
    throw new ConfigError(['AUDIT_SINK_SECRET: required when AUDIT_SINK_URL is set (at least 32 characters, e.g. `openssl rand -hex 32`); it signs every batch sent to the sink']);
  }
  if (env.AUDIT_SINK_SECRET && !env.AUDIT_SINK_URL) {
    throw new ConfigError(['AUDIT_SINK_URL: required when AUDIT_SINK_SECRET is set']);
  }
  const slackIssues = slackInstallProblems(env);
  if (slackIssues.length > 0) throw new ConfigError(slackIssues);
  const consoleIssues = consoleProblems(env);
  if (consoleIssues.length > 0) throw new ConfigError(consoleIssues);
  return { ...env, TEAMS_LOGIN_URL: env.TEAMS_LOGIN_URL ?? defaultTeamsLoginUrl(env.TEAMS_APP_TENANT_ID) };
}

/** Installs into many workspaces need the whole OAuth client, a public redirect and Slack over HTTP; never one bot token besides. */
function slackInstallProblems(env: z.infer<typeof envSchema>): string[] {
  if (!env.SLACK_CLIENT_ID) {
    return env.SLACK_CLIENT_SECRET || env.SLACK_STATE_SECRET ? ['SLACK_CLIENT_ID: required when SLACK_CLIENT_SECRET or SLACK_STATE_SECRET is set'] : [];
  }
  const why = 'when SLACK_CLIENT_ID is set (Slack installs into many workspaces)';
  const problems: string[] = [];
  if (!env.SLACK_CLIENT_SECRET) problems.push(`SLACK_CLIENT_SECRET: required ${why}: the app's Client Secret (Basic Information)`);
  if (!env.SLACK_STATE_SECRET) problems.push(`SLACK_STATE_SECRET: required ${why}: at least 32 characters (e.g. \`openssl rand -hex 32\`) that sign each install's state`);
  if (!env.PUBLIC_URL) problems.push(`PUBLIC_URL: required ${why}: Slack sends each install back to PUBLIC_URL/slack/oauth_redirect`);
  if (!env.SLACK_SIGNING_SECRET) problems.push(`SLACK_SIGNING_SECRET: required ${why}`);
  if (env.SLACK_APP_TOKEN) problems.push('SLACK_APP_TOKEN: unset it when SLACK_CLIENT_ID is set: installs into many workspaces run over HTTP (POST /slack/events), not Socket Mode');
  if (env.SLACK_BOT_TOKEN) problems.push("SLACK_BOT_TOKEN: unset it when SLACK_CLIENT_ID is set: each workspace's installation brings its own token");
  return problems;
}

/** Hosts where plain http never leaves the machine. */
const isLoopbackHost = (host: string) => host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);

/** The console needs its whole client, and https wherever its cookies and codes cross a network. */
function consoleProblems(env: z.infer<typeof envSchema>): string[] {
  if (!env.OIDC_ISSUER) {
    return env.OIDC_CLIENT_ID || env.OIDC_CLIENT_SECRET ? ['OIDC_ISSUER: required when OIDC_CLIENT_ID or OIDC_CLIENT_SECRET is set (the web console signs in there)'] : [];
  }
  const problems: string[] = [];
  if (!env.OIDC_CLIENT_ID) problems.push('OIDC_CLIENT_ID: required when OIDC_ISSUER is set (the client registered for Airlock at the identity provider)');
  if (!env.OIDC_CLIENT_SECRET) problems.push('OIDC_CLIENT_SECRET: required when OIDC_ISSUER is set');
  if (!env.PUBLIC_URL) problems.push('PUBLIC_URL: required when OIDC_ISSUER is set (the console\'s sign-in redirect is PUBLIC_URL/console/callback)');
  const issuer = new URL(env.OIDC_ISSUER);
  if (issuer.protocol !== 'https:' && !isLoopbackHost(issuer.hostname)) problems.push('OIDC_ISSUER: must be https (http only on a loopback host)');
  const publicUrl = env.PUBLIC_URL ? new URL(env.PUBLIC_URL) : undefined;
  if (publicUrl && publicUrl.protocol !== 'https:' && !isLoopbackHost(publicUrl.hostname)) {
    problems.push('PUBLIC_URL: must be https for the console (its session cookie is Secure; http only on a loopback host)');
  }
  return problems;
}

/** Multi-tenant bots log in at the botframework.com tenant, single-tenant ones at their own. */
export const defaultTeamsLoginUrl = (tenantId: string | undefined) =>
  `https://login.microsoftonline.com/${tenantId ? encodeURIComponent(tenantId) : 'botframework.com'}`;

/** Hosts a sink may be reached on over plain http: the traffic never leaves the machine. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** Why AUDIT_SINK_URL cannot be used, without echoing it (a query string may hold a token). */
function auditSinkUrlProblem(text: string): string | undefined {
  const https = 'must be https (http only for a loopback host: 127.0.0.1, ::1 or localhost)';
  if (!URL.canParse(text)) return https;
  const url = new URL(text);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) return https;
  if (url.username || url.password) return 'must not carry credentials (user:password@); the sink checks the Airlock-Signature header instead';
  return undefined;
}
