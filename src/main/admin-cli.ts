import type { Env } from '../config/env.js';
import { createApprovalQueues } from '../infra/queue/approval-queues.js';
import { makeRunAdminCommand, type AdminActor, type AdminReply } from '../usecases/run-admin-command.js';
import { createChatAdapters } from './chat-platforms.js';
import { createCliLogger } from './cli-logger.js';
import { openCliPolicy } from './cli-policy.js';
import { buildCore } from './container.js';

const FOLLOW_UP_WAIT_MS = 5_000;

/**
 * `airlock admin ...`: the same use case as `/airlock`, for operators when
 * chat is down. Card updates are enqueued for the workers; incident notices
 * are posted directly on the chat platforms the environment configures.
 */
export async function runAdmin(env: Env, actor: AdminActor, text: string): Promise<AdminReply> {
  const log = createCliLogger();
  const core = await buildCore(env, log, { poolSize: 4, openPolicy: (path, pool) => openCliPolicy(path, pool, (line) => log.warn(line)) });
  const queues = createApprovalQueues(core.queues, core.clock, log);
  try {
    const followUps: Promise<unknown>[] = [];
    // Only for notices: this process receives no clicks and runs no start-up checks.
    const chat = createChatAdapters(
      core,
      {
        recordReview: async () => ({ kind: 'refused', message: { lines: [['not served by the CLI']] } }),
        adminCommand: (a, t) => run(a, t),
      },
      { checks: false },
    );
    const run = makeRunAdminCommand({
      policy: core.policy,
      overrides: core.overrides,
      actions: core.actions,
      audit: core.audit,
      jobs: queues.jobs,
      clock: core.clock,
      platforms: chat.platforms,
      onAudited: (tenant) => core.sealer.poke(tenant),
      background: (what, task) => followUps.push(task().catch((err: Error) => log.warn({ err: err.message }, `${what} failed; the reconciler or the next click repairs it`))),
    });
    const reply = await run(actor, text);
    // A short-lived process: give the follow-ups (card updates, callbacks, notices) a moment, never longer.
    await Promise.race([Promise.all(followUps), new Promise((r) => setTimeout(r, FOLLOW_UP_WAIT_MS).unref())]);
    return reply;
  } finally {
    await core.sealer.idle();
    await queues.close();
    await core.close();
  }
}
