import type { FastifyInstance } from 'fastify';
import type { Writable } from 'node:stream';
import { inject } from 'vitest';
import { loadEnv } from '../../src/config/env.js';
import { buildApi } from '../../src/main/api.js';
import { buildCore, type Core } from '../../src/main/container.js';
import { serveLivePolicy } from '../../src/main/live-policy.js';
import { createLogger } from '../../src/main/logger.js';
import { createProcessMetrics } from '../../src/main/metrics.js';
import { startApprovals } from '../../src/main/worker.js';
import type { Approvals } from '../../src/main/approvals.js';
import type { Clock } from '../../src/ports/clock.js';
import type { ResolveHost } from '../../src/infra/callbacks/guarded-lookup.js';
import { makeCreateAgent } from '../../src/usecases/create-agent.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { TEST_SECRET } from './secret.js';

export interface TestAirlock {
  app: FastifyInstance;
  core: Core;
  approvals: Approvals;
  db: TestDatabase;
  /** Issues a key for a policy-declared agent and returns the bearer header value. */
  agentAuth(tenant: string, name: string): Promise<string>;
  close(): Promise<void>;
}

export interface StartOptions {
  policyFile?: string;
  queue?: 'redis' | 'postgres';
  /** A dedicated Redis (database) for this test; implies the Redis backend. */
  redisUrl?: string;
  clock?: Clock;
  env?: Record<string, string>;
  db?: TestDatabase;
  /** Run the queue workers in this process (default true). */
  processors?: boolean;
  /** See ApprovalOptions.callbackGraceMs. */
  callbackGraceMs?: number;
  /** See ApprovalOptions.resolveCallbackHost: stands in for DNS in tests of callback targets. */
  resolveCallbackHost?: ResolveHost;
  /** See ApprovalOptions.callbackTimeoutMs. */
  callbackTimeoutMs?: number;
  /** Where the log goes (default stdout), for tests that check what is never logged. */
  logStream?: Writable;
}

/** The real core and API in-process, on a fresh database. Requests go through `app.inject`. */
export async function startAirlock(opts: StartOptions = {}): Promise<TestAirlock> {
  const db = opts.db ?? (await createTestDatabase());
  const env = loadEnv({
    DATABASE_URL: db.url,
    AIRLOCK_SECRET: TEST_SECRET,
    ...(opts.redisUrl ? { REDIS_URL: opts.redisUrl } : opts.queue === 'redis' ? { REDIS_URL: inject('redisUrl') } : {}),
    POLICY_FILE: opts.policyFile ?? 'examples/policy.yml',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    // Tests share one reviewer channel and post cards faster than Slack would take them; pacing is tested on its own (slack-pacing.test.ts).
    AIRLOCK_CHAT_PACING: 'off',
    ...opts.env,
  });
  // A test that brings its own Redis database shares the default prefix with the processes it spawns.
  const queuePrefix = opts.redisUrl ? undefined : `airlock-test-${db.name}`;
  const core = await buildCore(env, createLogger(env, opts.logStream), { clock: opts.clock, poolSize: 10, queuePrefix });
  // As `npm start` does: record the policy it loads, and reload when `airlock policy reload` asks.
  const stopRecording = await serveLivePolicy(core);
  const metrics = createProcessMetrics(core);
  const approvals = await startApprovals(core, { processors: opts.processors ?? true, metrics: metrics.approvals, callbackGraceMs: opts.callbackGraceMs, resolveCallbackHost: opts.resolveCallbackHost, callbackTimeoutMs: opts.callbackTimeoutMs });
  const app = await buildApi(core, { dispatcher: approvals.dispatcher, platforms: approvals.platforms, chatStates: approvals.chatStates, consoleState: approvals.consoleState, plugins: approvals.mounts, metrics });
  await app.ready();
  const createAgent = makeCreateAgent({ agents: core.agents, policy: core.policy });
  return {
    app,
    core,
    approvals,
    db,
    agentAuth: async (tenant, name) => `Bearer ${(await createAgent(tenant, name)).key}`,
    close: async () => {
      await app.close();
      await approvals.close();
      stopRecording();
      await core.close();
      if (!opts.db) await db.drop();
    },
  };
}
