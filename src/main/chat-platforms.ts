import { createSlackApp, type SlackAdapter } from '../../adapters/slack/slack-app.js';
import type { FastifyInstance } from 'fastify';
import { PgSeenRequests } from '../infra/postgres/seen-requests.js';
import { chatPlatforms, type ChatPlatform } from '../ports/chat-platform.js';
import type { SendPacer } from '../ports/send-pacer.js';
import { makeEditableAction } from '../usecases/editable-action.js';
import type { AdminActor, AdminReply } from '../usecases/run-admin-command.js';
import type { ReviewCommand, ReviewResult } from '../usecases/record-review.js';
import type { Core } from './container.js';
import { watchPlatforms } from './platform-health.js';
import { wireTeams } from './teams.js';

/** The use cases chat adapters call; bound late, because the use cases in turn need the platforms. */
export interface ChatUseCases {
  recordReview(cmd: ReviewCommand): Promise<ReviewResult>;
  adminCommand(actor: AdminActor, text: string): Promise<AdminReply>;
}

/**
 * The chat platforms configured by the environment (Slack with
 * SLACK_BOT_TOKEN, Teams with TEAMS_APP_ID and TEAMS_APP_PASSWORD), their
 * inbound routes, and their start-up checks. The one place that knows which
 * platforms exist; everything else sees the ChatPlatforms port.
 */
export function createChatAdapters(core: Core, useCases: ChatUseCases, opts: { checks: boolean; pacer?: SendPacer } = { checks: true }) {
  const { env, policy, actions, log, clock } = core;
  // Replays of signed Slack requests are refused for the whole signature window, across processes (HTTP mode only).
  const seenRequests = env.SLACK_BOT_TOKEN && !env.SLACK_APP_TOKEN && opts.checks ? new PgSeenRequests(core.pool, clock) : undefined;
  const auditUrl = env.PUBLIC_URL ? (id: string) => new URL(`/v1/actions/${id}`, env.PUBLIC_URL).toString() : undefined;
  const slack: SlackAdapter | undefined = env.SLACK_BOT_TOKEN
    ? createSlackApp(
        { botToken: env.SLACK_BOT_TOKEN, signingSecret: env.SLACK_SIGNING_SECRET, appToken: env.SLACK_APP_TOKEN, apiUrl: env.SLACK_API_URL, auditUrl, pacer: opts.pacer },
        {
          recordReview: (cmd) => useCases.recordReview(cmd),
          adminCommand: (actor, text) => useCases.adminCommand(actor, text),
          // The platform maps workspaces to tenants; bound once the adapter exists.
          actionForEdit: makeEditableAction({ actions, policy, directory: { tenantOf: (p, teamId) => slack!.platform.tenantOf(p, teamId) } }),
        },
        log,
        seenRequests && { seenRequests, now: () => clock.now().getTime() },
      )
    : undefined;
  seenRequests?.startExpiry((err) => log.warn({ err: (err as Error).message }, 'could not expire the Slack requests seen; retrying in 30 s'));
  const teams = wireTeams(core, { recordReview: (cmd) => useCases.recordReview(cmd), adminCommand: (actor, text) => useCases.adminCommand(actor, text) }, opts.pacer, opts.checks);
  const list: ChatPlatform[] = [...(slack ? [slack.platform] : []), ...(teams ? [teams.platform] : [])];
  if (list.length === 0) log.warn('no chat platform configured (SLACK_BOT_TOKEN, TEAMS_APP_ID): no cards are posted; approvals wait for their timeout or `airlock review`');
  const health = opts.checks ? watchPlatforms(list, log) : undefined;
  const mounts: ((app: FastifyInstance) => Promise<void>)[] = [...(slack ? [slack.mount] : []), ...(teams ? [teams.mount] : [])];
  return {
    platforms: chatPlatforms(list),
    mounts,
    /** Each platform's start-up state, for /readyz. */
    states: () => health?.states() ?? {},
    stop: async () => {
      seenRequests?.stopExpiry();
      teams?.stop();
      health?.stop();
      await slack?.stop();
    },
  };
}

export type ChatAdapters = ReturnType<typeof createChatAdapters>;
