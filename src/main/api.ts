import type { FastifyInstance } from 'fastify';
import { makeListCursors } from '../domain/list-cursor.js';
import { buildApp } from '../http/build-app.js';
import type { Metrics } from '../http/metrics.js';
import type { ChatHealth } from '../http/routes/health.js';
import { createCallbackTargets } from '../infra/callbacks/callback-targets.js';
import { isDatabaseUnavailable } from '../infra/postgres/pool.js';
import { PgRateLimiter } from '../infra/postgres/rate-limiter.js';
import { RedisRateLimiter } from '../infra/redis/rate-limiter.js';
import { unlimited, type RateLimiter } from '../ports/rate-limiter.js';
import type { ApprovalDispatcher } from '../ports/approval-dispatcher.js';
import type { ChatPlatforms } from '../ports/chat-platform.js';
import { makeAuthenticateAgent } from '../usecases/authenticate-agent.js';
import { makeDescribeAgent } from '../usecases/describe-agent.js';
import { makeGetAction } from '../usecases/get-action.js';
import { makeListActions } from '../usecases/list-actions.js';
import { makeReportResult } from '../usecases/report-result.js';
import { makeSubmitAction } from '../usecases/submit-action.js';
import type { Core } from './container.js';
import { healthOf } from './health.js';

/** Wires the intake API on top of the core. */
export async function buildApi(
  core: Core,
  opts: {
    dispatcher: ApprovalDispatcher;
    /** The configured chat platforms: which of them show a reviewer group's cards. */
    platforms: Pick<ChatPlatforms, 'targetsOf'>;
    /** Each chat platform's start-up state, for /readyz. */
    chatStates?: () => Promise<ChatHealth>;
    /** The web console's identity provider state, for /readyz. */
    consoleState?: () => string;
    /** The process's registry (the approval loop counts into it too). */
    metrics: Metrics;
    plugins?: ((app: FastifyInstance) => Promise<void>)[];
    /** Aborted when the process shuts down: long-polls answer at once. */
    shuttingDown?: AbortSignal;
  },
): Promise<FastifyInstance> {
  const rateLimiter = await createRateLimiter(core);
  const seal = (a: { tenant: string }) => core.sealer.poke(a.tenant);
  const app = await buildApp({
    logger: core.log,
    metrics: opts.metrics,
    isUnavailable: isDatabaseUnavailable,
    authenticate: makeAuthenticateAgent({ agents: core.agents, policy: core.policy, clock: core.clock }),
    submitAction: makeSubmitAction({
      store: core.actions,
      tracer: core.tracer,
      overrides: core.overrides,
      policy: core.policy,
      ...(core.shadowPolicy ? { shadow: core.shadowPolicy } : {}),
      clock: core.clock,
      digests: core.digests,
      dispatcher: opts.dispatcher,
      platforms: opts.platforms,
      callbackTargets: createCallbackTargets(core.env.AIRLOCK_CALLBACK_ALLOW),
      onRecorded: seal,
      onDispatchError: (action, err) =>
        core.log.warn({ action: action.id, err: (err as Error).message }, 'could not enqueue the approval card; the reconciler will'),
    }),
    describeAgent: makeDescribeAgent({ policy: core.policy }),
    getAction: makeGetAction({ store: core.actions, events: core.events }),
    listActions: makeListActions({ store: core.actions, cursors: makeListCursors(core.secret) }),
    reportResult: makeReportResult({ store: core.actions, clock: core.clock, digests: core.digests, onRecorded: seal }),
    ...healthOf(core, opts.chatStates, opts.consoleState),
    rateLimiter,
    maxWaitsPerAgent: core.env.AIRLOCK_MAX_WAITS_PER_AGENT,
    timeouts: { headersMs: core.env.AIRLOCK_HEADERS_TIMEOUT, requestMs: core.env.AIRLOCK_REQUEST_TIMEOUT, idleMs: core.env.AIRLOCK_IDLE_TIMEOUT },
    plugins: opts.plugins,
    shuttingDown: opts.shuttingDown,
  });
  app.addHook('onClose', () => rateLimiter.close());
  const { shuttingDown } = opts;
  if (shuttingDown) {
    // app.close() waits for every open connection, and an HTTP keep-alive client
    // would hold one open long after its last answer. During shutdown, a
    // connection is closed as soon as its answer has gone out.
    app.server.on('request', (_req, res) =>
      res.once('finish', () => {
        if (shuttingDown.aborted) setImmediate(() => app.server.closeIdleConnections());
      }),
    );
  }
  return app;
}

/** Redis when REDIS_URL is set (exact, one round trip a request); otherwise counts merged through Postgres a few times a second. */
async function createRateLimiter(core: Core): Promise<RateLimiter> {
  const { env, log } = core;
  if (env.AIRLOCK_RATE_LIMIT_PER_AGENT === 0) return unlimited;
  const opts = { limit: env.AIRLOCK_RATE_LIMIT_PER_AGENT, windowMs: env.AIRLOCK_RATE_LIMIT_WINDOW, log };
  return env.REDIS_URL ? RedisRateLimiter.connect(env.REDIS_URL, { ...opts, prefix: core.redisPrefix }) : new PgRateLimiter(core.pool, opts);
}
