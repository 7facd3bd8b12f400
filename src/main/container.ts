import type { Logger } from 'pino';
import type pg from 'pg';
import type { Env } from '../config/env.js';
import { makeArgsDigests, type ArgsDigests } from '../domain/args-digest.js';
import { PgActionStore } from '../infra/postgres/action-repository.js';
import { PgActionEvents } from '../infra/postgres/action-waiters.js';
import { PgAgentStore } from '../infra/postgres/agent-repository.js';
import { PgAuditLog } from '../infra/postgres/audit-log.js';
import { AuditSealer } from '../infra/postgres/audit-sealer.js';
import { migrate } from '../infra/postgres/migrate.js';
import { PgNotifications } from '../infra/postgres/notifications.js';
import { PgOverridesStore } from '../infra/postgres/overrides-repository.js';
import { createPool } from '../infra/postgres/pool.js';
import { createQueueFactory, type QueueFactory } from '../infra/queue/backend.js';
import { FilePolicySource, resolvePolicyPath, type PolicyReload } from '../policy/file-policy-source.js';
import { ShadowPolicySource } from '../policy/shadow-policy-source.js';
import { systemClock, type Clock } from '../ports/clock.js';
import type { Tracer } from '../ports/tracer.js';
import { resolveDatabase, resolveSecret } from './database.js';
import { startTelemetry } from './telemetry.js';

/**
 * The shared core every role needs: database (migrated), policy, stores,
 * notifications, audit sealing and the queue backend. Roles add their parts
 * (HTTP app, queue workers) on top.
 */
export interface Core {
  env: Env;
  log: Logger;
  clock: Clock;
  databaseUrl: string;
  /** AIRLOCK_SECRET (or the embedded default): keys digests of arguments. Never stored in the database. */
  secret: string;
  digests: ArgsDigests;
  pool: pg.Pool;
  policy: FilePolicySource;
  /** POLICY_SHADOW_FILE's policy, when set and loaded: evaluated on every request, never enforced. */
  shadowPolicy?: ShadowPolicySource;
  /** Traces the use cases; the no-op tracer unless an OTLP endpoint is set. */
  tracer: Tracer;
  actions: PgActionStore;
  agents: PgAgentStore;
  overrides: PgOverridesStore;
  audit: PgAuditLog;
  sealer: AuditSealer;
  notifications: PgNotifications;
  events: PgActionEvents;
  queues: QueueFactory;
  /** Prefix of every Redis key (queues, rate limits), so deployments or test runs can share one Redis. */
  redisPrefix: string;
  /** Reloads the policy file now (SIGHUP), logging the outcome; a refused file keeps the last good policy. Resolves once the reload's effects ran. */
  reloadPolicy(): Promise<void>;
  /** Runs `effect` after every reload that took a new file (SIGHUP or a change on disk); returns what stops it. */
  afterPolicyReload(effect: () => Promise<void>): () => void;
  close(): Promise<void>;
}

export interface CoreOptions {
  clock?: Clock;
  poolSize?: number;
  queuePrefix?: string;
  /** How the policy file is opened (the CLI falls back to the server's live policy when the file is invalid); default: the file or nothing. */
  openPolicy?: (path: string, pool: pg.Pool) => Promise<FilePolicySource>;
}

export async function buildCore(env: Env, log: Logger, opts: CoreOptions = {}): Promise<Core> {
  const db = await resolveDatabase(env, log);
  const poolSize = opts.poolSize ?? env.AIRLOCK_DB_POOL_SIZE;
  const pool = createPool(db.url, poolSize);
  // Run first to last: the pool closes before an embedded Postgres is left (it stops only when nobody is connected).
  const cleanup: (() => Promise<void>)[] = [() => pool.end(), () => db.stop()];
  try {
    const secret = await resolveSecret(env);
    const telemetry = await startTelemetry(env, log);
    // Last of all: what the closing steps traced is exported too.
    cleanup.push(() => telemetry.shutdown());
    const applied = await migrate(pool);
    if (applied.length > 0) log.info({ applied }, 'database migrated');

    const policyPath = resolvePolicyPath(env.POLICY_FILE);
    if (policyPath.note) log.warn(policyPath.note);
    const policy = await (opts.openPolicy ?? ((path) => FilePolicySource.open(path)))(policyPath.path, pool);
    log.info({ file: policyPath.path, version: policy.current().fileVersion }, 'policy loaded');
    const overrides = new PgOverridesStore(pool);
    // Before anything is decided: intake and reviews lock each tenant's overrides row.
    await overrides.ensureTenants(policy.current().tenants.keys());
    const effects = new Set<() => Promise<void>>();
    const reported = async (r: PolicyReload) => {
      if (!r.ok) {
        log.error({ details: (r.error as { details?: unknown }).details, err: (r.error as Error).message }, 'policy reload refused; keeping the last good policy');
        return;
      }
      log.info({ version: r.version }, 'policy reloaded');
      overrides.ensureTenants(policy.current().tenants.keys()).catch((err: Error) => log.error({ err: err.message }, 'could not prepare the overrides of new tenants'));
      await Promise.all([...effects].map((effect) => effect().catch((err: Error) => log.error({ err: err.message }, 'an effect of the policy reload failed'))));
    };
    const unwatch = policy.watch(reported);
    cleanup.unshift(async () => unwatch());
    // Refused or reloaded on its own: a bad shadow file never touches the live policy.
    const shadowReported = (r: PolicyReload) =>
      r.ok
        ? log.info({ file: env.POLICY_SHADOW_FILE, version: r.version }, 'shadow policy loaded')
        : log.error({ file: env.POLICY_SHADOW_FILE, details: (r.error as { details?: unknown }).details, err: (r.error as Error).message }, 'shadow policy refused; keeping the last good shadow (or none)');
    const shadowPolicy = env.POLICY_SHADOW_FILE ? await ShadowPolicySource.open(env.POLICY_SHADOW_FILE, shadowReported) : undefined;
    if (shadowPolicy) {
      const unwatchShadow = shadowPolicy.watch(shadowReported);
      cleanup.unshift(async () => unwatchShadow());
    }

    const agents = new PgAgentStore(pool);
    const notifications = new PgNotifications(db.url, log);
    notifications.on('airlock_overrides', (tenant) => (tenant === '*' ? overrides.invalidateAll() : overrides.invalidate(tenant)));
    // A revoked key stops working on every process at once (and '*', after a reconnect, drops everything too).
    notifications.on('airlock_agent_keys', () => agents.invalidateKeys());
    const events = new PgActionEvents(notifications);
    await notifications.start();
    cleanup.unshift(() => notifications.close());

    const audit = new PgAuditLog(pool, secret);
    const sealer = new AuditSealer(audit, log);
    cleanup.unshift(async () => {
      sealer.stop();
      await sealer.idle();
    });

    const queues = await createQueueFactory(
      env.REDIS_URL
        ? { kind: 'redis', url: env.REDIS_URL, prefix: opts.queuePrefix }
        : // Each queue object on the PostgreSQL backend has its own pool: half the main one's, at most 10 (the default 20 gives 10).
          { kind: 'postgres', url: db.url, poolSize: Math.min(10, Math.max(2, Math.ceil(poolSize / 2))) },
    );
    cleanup.unshift(() => queues.close());
    log.info({ backend: queues.kind }, 'queue backend selected');

    return {
      env,
      log,
      clock: opts.clock ?? systemClock,
      databaseUrl: db.url,
      secret,
      digests: makeArgsDigests(secret),
      pool,
      policy,
      ...(shadowPolicy ? { shadowPolicy } : {}),
      actions: new PgActionStore(pool),
      agents,
      overrides,
      audit,
      sealer,
      notifications,
      events,
      queues,
      redisPrefix: opts.queuePrefix ?? 'airlock',
      tracer: telemetry.tracer,
      reloadPolicy: async () => {
        await Promise.all([policy.reloadNow().then(reported), shadowPolicy?.reloadNow().then(shadowReported)]);
      },
      afterPolicyReload: (effect) => {
        effects.add(effect);
        return () => effects.delete(effect);
      },
      close: () => runAll(cleanup),
    };
  } catch (err) {
    await runAll(cleanup);
    throw err;
  }
}

async function runAll(steps: (() => Promise<void>)[]) {
  for (const step of steps) await step().catch(() => undefined);
}
