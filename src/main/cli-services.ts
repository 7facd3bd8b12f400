import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { CliServices } from '../../adapters/cli/index.js';
import type { Env } from '../config/env.js';
import { PgAgentStore } from '../infra/postgres/agent-repository.js';
import { PgActionTrail } from '../infra/postgres/action-trail.js';
import { PgAuditLog } from '../infra/postgres/audit-log.js';
import { PgEvidenceStore } from '../infra/postgres/evidence-repository.js';
import { PgMetricHandoff } from '../infra/postgres/metric-handoff.js';
import { payAuditDebts } from '../infra/postgres/end-pending.js';
import { OutputError } from '../infra/postgres/json-lines-writer.js';
import { PgRecordedDecisions } from '../infra/postgres/recorded-decisions.js';
import { migrate } from '../infra/postgres/migrate.js';
import { createPool } from '../infra/postgres/pool.js';
import { resolvePolicyPath } from '../policy/file-policy-source.js';
import { policyJsonSchema } from '../policy/json-schema.js';
import { loadPolicyFile } from '../policy/load-policy.js';
import { chatDirectories } from '../ports/chat-platform.js';
import { systemClock } from '../ports/clock.js';
import { makeCreateAgent } from '../usecases/create-agent.js';
import { makeListAgents } from '../usecases/list-agents.js';
import { countsToHandOver } from '../usecases/metric-handoff.js';
import { makePlanPolicy } from '../usecases/plan-policy.js';
import { makeShadowReport } from '../usecases/shadow-report.js';
import { PgShadowRecords } from '../infra/postgres/shadow-records.js';
import { makeReport } from '../usecases/report.js';
import { makeShowActionStory } from '../usecases/show-action-story.js';
import { makeRevokeAgentKeys } from '../usecases/revoke-agent-keys.js';
import { makeRotateAgentKey } from '../usecases/rotate-agent-key.js';
import { livePolicy, openCliPolicy } from './cli-policy.js';
import { resolveDatabase, resolveSecret } from './database.js';
import { requestPolicyReload } from './policy-reload-cli.js';
import { wireUseCases } from './use-cases.js';

/** How long a short-lived CLI process gives an admin command's follow-ups (card updates, callbacks, notices), never longer. */
const FOLLOW_UP_WAIT_MS = 5_000;
/** A CLI process needs few connections (audit verify uses three: two ranges of the chain and a count, in one snapshot). */
const POOL_SIZE = 4;

/**
 * What the CLI adapter calls, on the concrete stores and the same use cases
 * as the server. `log` writes to the command's stderr; `source` is the
 * environment it was given, which the commands that start an MCP server pass on.
 */
export function createCliServices(env: Env, log: Logger, source: NodeJS.ProcessEnv): CliServices {
  const policyFile = () => {
    const { path, note } = resolvePolicyPath(env.POLICY_FILE);
    return { path, note };
  };
  const warn = (line: string) => log.warn(line);

  /**
   * Embedded Postgres when DATABASE_URL is unset; migrated, except for a
   * command that only reads (`readOnly`), which a read-only database role
   * must be able to run: it expects the servers to have migrated.
   */
  async function withDatabase<T>(run: (pool: Pool) => Promise<T>, opts: { readOnly?: boolean } = {}): Promise<T> {
    const db = await resolveDatabase(env, log);
    const pool = createPool(db.url, POOL_SIZE);
    try {
      if (!opts.readOnly) await migrate(pool);
      return await run(pool);
    } finally {
      await pool.end();
      await db.stop();
    }
  }

  return {
    migrate: () => withDatabase(migrate),
    policy: {
      serverFile: () => policyFile().path,
      check: (file) => loadPolicyFile(file),
      reload: (checked) => withDatabase((pool) => requestPolicyReload(pool, checked)),
      schema: () => policyJsonSchema(),
      importMcp: async (target, serverName) => (await import('./mcp-gateway.js')).importMcpTools(target, serverName, source),
      plan: (request) =>
        withDatabase(async (pool) => {
          const live = await livePolicy(pool, policyFile().path, warn);
          return makePlanPolicy({ decisions: new PgRecordedDecisions(pool) })({ ...request, live });
        }, { readOnly: true }),
      shadowReport: (request) => withDatabase((pool) => makeShadowReport({ records: new PgShadowRecords(pool) })(request), { readOnly: true }),
    },
    withAgents: (run) =>
      withDatabase(async (pool) => {
        const { path, note } = policyFile();
        if (note) log.warn(note);
        const policy = await openCliPolicy(path, pool, warn);
        const agents = new PgAgentStore(pool);
        return run({
          create: makeCreateAgent({ agents, policy }),
          list: makeListAgents({ agents, policy }),
          rotate: makeRotateAgentKey({ agents, policy }),
          revoke: makeRevokeAgentKeys({ agents }),
        });
      }),
    async withApprovals(run) {
      // Loaded here, not at start: the chat SDKs, BullMQ and the core take most of a second to load, which every other command would pay.
      const [{ buildCore }, { createApprovalQueues }, { createChatAdapters }, { SlackDirectory }, { TeamsDirectory }] = await Promise.all([
        import('./container.js'),
        import('../infra/queue/approval-queues.js'),
        import('./chat-platforms.js'),
        import('../../adapters/slack/slack-directory.js'),
        import('../../adapters/teams/teams-directory.js'),
      ]);
      const core = await buildCore(env, log, { poolSize: POOL_SIZE, openPolicy: (path, pool) => openCliPolicy(path, pool, warn) });
      const queues = createApprovalQueues(core.queues, core.clock, log);
      const followUps: Promise<unknown>[] = [];
      // Nobody scrapes this process: its reviews are left in Postgres for a worker to count.
      const counts = countsToHandOver();
      try {
        // For admin notices only: this process receives no clicks and runs no start-up checks.
        const chat = await createChatAdapters(core, { recordReview: (cmd) => useCases.recordReview(cmd), adminCommand: (actor, text) => useCases.adminCommand(actor, text) }, { checks: false });
        const useCases = wireUseCases(core, {
          jobs: queues.jobs,
          platforms: chat.platforms,
          // Reviewers are looked up without a chat app: without a bot token only listed Slack users can be named;
          // installed into many workspaces, the Slack platform reads each workspace with its installation's token.
          directories: chatDirectories([
            (env.SLACK_CLIENT_ID && chat.platforms.get('slack')) || SlackDirectory.create(env.SLACK_BOT_TOKEN, env.SLACK_API_URL, log),
            new TeamsDirectory(),
          ]),
          metrics: counts.metrics,
          background: (what, task) => followUps.push(task().catch((err: Error) => log.warn({ err: err.message }, `${what} failed; the reconciler or the next click repairs it`))),
        });
        const result = await run({
          tenant: (id) => core.policy.current().tenants.get(id),
          pending: (tenant, limit) => core.actions.pendingSummary(tenant, limit),
          get: (tenant, id) => core.actions.get(tenant, id),
          resolveActionId: useCases.resolveActionId,
          operatorReview: useCases.operatorReview,
          adminCommand: useCases.adminCommand,
          now: () => core.clock.now(),
        });
        await Promise.race([Promise.all(followUps), new Promise((r) => setTimeout(r, FOLLOW_UP_WAIT_MS).unref())]);
        return result;
      } finally {
        await core.sealer.idle();
        await counts.leave(new PgMetricHandoff(core.pool)).catch((err: Error) => log.warn({ err: err.message }, 'the reviews of this command could not be left for the worker to count in /metrics; the audit trail has them'));
        await queues.close();
        await core.close();
      }
    },
    async withAuditLog(run) {
      const secret = await resolveSecret(env);
      return withDatabase(async (pool) => {
        // As events not yet sealed are sealed first, events an admin change still owes
        // the approvals it ended (its follow-up not yet run, or cut off) are written first.
        await payAuditDebts(pool);
        const audit = new PgAuditLog(pool, secret);
        return run({
          liveTenants: async () => [...(await openCliPolicy(policyFile().path, pool, warn)).current().tenants.keys()],
          seal: (tenant) => audit.seal(tenant),
          verify: (tenant, opts) => audit.verify(tenant, opts),
          checkpoint: (tenant) => audit.checkpoint(tenant),
          exportJsonLines: async (tenant, out, filter) => {
            try {
              await audit.exportJsonLines(tenant, out, filter);
              return {};
            } catch (e) {
              if (!(e instanceof OutputError)) throw e;
              return { error: e.message };
            }
          },
        });
      });
    },
    report: (input) =>
      withDatabase(async (pool) => {
        const { path, note } = policyFile();
        if (note) log.warn(note);
        const policy = await openCliPolicy(path, pool, warn);
        return makeReport({ evidence: new PgEvidenceStore(pool), policy, clock: systemClock })(input);
      }, { readOnly: true }),
    actionStory: (tenant, idOrPrefix) =>
      withDatabase(async (pool) => {
        const { path, note } = policyFile();
        if (note) log.warn(note);
        const policy = await openCliPolicy(path, pool, warn);
        return makeShowActionStory({ trail: new PgActionTrail(pool), policy })(tenant, idOrPrefix);
      }, { readOnly: true }),
    mcpGateway: async (opts) => (await import('./mcp-gateway.js')).runMcpGateway({ ...opts, url: opts.url ?? `http://127.0.0.1:${env.PORT}` }, source),
    gatewayDefaults: { agentKey: env.AIRLOCK_AGENT_KEY, url: env.AIRLOCK_URL, requester: env.AIRLOCK_REQUESTER },
  };
}
