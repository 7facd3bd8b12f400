import type { FastifyInstance } from 'fastify';
import type { ChatHealth } from '../http/routes/health.js';
import { chatPlatforms, type ChatPlatform } from '../ports/chat-platform.js';
import type { SendPacer } from '../ports/send-pacer.js';
import type { AdminActor, AdminReply } from '../usecases/run-admin-command.js';
import type { ReviewCommand, ReviewResult } from '../usecases/record-review.js';
import type { Core } from './container.js';
import { watchPlatforms } from './platform-health.js';

/** How long /readyz waits for the list of tenants whose workspace has no installation. */
const INSTALLATIONS_TIMEOUT_MS = 2_000;

/** The use cases chat adapters call; bound late, because the use cases in turn need the platforms. */
export interface ChatUseCases {
  recordReview(cmd: ReviewCommand): Promise<ReviewResult>;
  adminCommand(actor: AdminActor, text: string): Promise<AdminReply>;
}

/**
 * The chat platforms configured by the environment (Slack with
 * SLACK_BOT_TOKEN or SLACK_CLIENT_ID, Teams with TEAMS_APP_ID and TEAMS_APP_PASSWORD), their
 * inbound routes, and their start-up checks. The one place that knows which
 * platforms exist; everything else sees the ChatPlatforms port.
 */
export async function createChatAdapters(core: Core, useCases: ChatUseCases, opts: { checks: boolean; pacer?: SendPacer } = { checks: true }) {
  const { policy, log, env } = core;
  // Each platform's SDK is loaded only when it is configured: Bolt and botbuilder take a second or two of CPU to load.
  const slack = env.SLACK_BOT_TOKEN || env.SLACK_CLIENT_ID ? (await import('./slack.js')).wireSlack(core, useCases, opts.pacer, opts.checks) : undefined;
  const teams =
    env.TEAMS_APP_ID && env.TEAMS_APP_PASSWORD
      ? (await import('./teams.js')).wireTeams(core, { recordReview: (cmd) => useCases.recordReview(cmd), adminCommand: (actor, text) => useCases.adminCommand(actor, text) }, opts.pacer, opts.checks)
      : undefined;
  const list: ChatPlatform[] = [...(slack ? [slack.platform] : []), ...(teams ? [teams.platform] : [])];
  if (list.length === 0) log.warn('no chat platform configured (SLACK_BOT_TOKEN or SLACK_CLIENT_ID, TEAMS_APP_ID): no cards are posted; approvals wait for their timeout or `airlock review`');
  const health = opts.checks ? watchPlatforms(list, log) : undefined;
  const mounts: ((app: FastifyInstance) => Promise<void>)[] = [...(slack ? [slack.mount] : []), ...(teams ? [teams.mount] : [])];
  /** By platform, the tenants whose cards are held for want of an installation; left out when Postgres does not answer in time. */
  const notInstalled = async (): Promise<Record<string, string[]>> => {
    const tenants = [...policy.current().tenants.values()];
    const lists = list.map(async (p) => [p.name, [...((await p.uninstalled?.(tenants)) ?? new Map()).keys()].sort()] as const);
    const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), INSTALLATIONS_TIMEOUT_MS).unref());
    const found = await Promise.race([Promise.all(lists), timeout]).catch((err: Error) => {
      log.warn({ err: err.message }, 'could not read which chat workspaces have no installation');
      return undefined;
    });
    return Object.fromEntries((found ?? []).filter(([, tenants]) => tenants.length > 0));
  };

  return {
    platforms: chatPlatforms(list),
    mounts,
    /** Each platform's start-up state and the tenants whose workspace has no installation, for /readyz. */
    states: async (): Promise<ChatHealth> => ({ states: health?.states() ?? {}, notInstalled: await notInstalled() }),
    stop: async () => {
      teams?.stop();
      health?.stop();
      await slack?.stop();
    },
  };
}

export type ChatAdapters = Awaited<ReturnType<typeof createChatAdapters>>;
