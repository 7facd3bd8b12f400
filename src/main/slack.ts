import { createSlackApp, type SlackAdapter, type SlackConfig } from '../../adapters/slack/slack-app.js';
import type { SlackPorts } from '../../adapters/slack/slack-ports.js';
import { PgChatInstallations } from '../infra/postgres/chat-installation-repository.js';
import { PgSeenRequests } from '../infra/postgres/seen-requests.js';
import { TokenCipher } from '../infra/postgres/token-cipher.js';
import type { SendPacer } from '../ports/send-pacer.js';
import { makeEditableAction } from '../usecases/editable-action.js';
import type { Core } from './container.js';

/**
 * The Slack adapter, when SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID
 * (installs into many, tokens sealed in Postgres under a key derived from
 * AIRLOCK_SECRET) is set. `serving`: this process answers Slack's requests
 * (a server; not the admin CLI).
 */
export function wireSlack(core: Core, useCases: Pick<SlackPorts, 'recordReview' | 'adminCommand'>, pacer: SendPacer | undefined, serving: boolean): (SlackAdapter & { stop(): Promise<void> }) | undefined {
  const { env, policy, actions, log, clock } = core;
  if (!env.SLACK_BOT_TOKEN && !env.SLACK_CLIENT_ID) return undefined;
  // Replays of signed Slack requests (and of install redirects) are refused for the whole signature window, across processes (HTTP mode only).
  const seenRequests = !env.SLACK_APP_TOKEN && serving ? new PgSeenRequests(core.pool, clock) : undefined;
  const tokens: Pick<SlackConfig, 'botToken' | 'oauth'> = env.SLACK_CLIENT_ID
    ? {
        oauth: {
          clientId: env.SLACK_CLIENT_ID,
          clientSecret: env.SLACK_CLIENT_SECRET!,
          stateSecret: env.SLACK_STATE_SECRET!,
          publicUrl: env.PUBLIC_URL!,
          installations: new PgChatInstallations(core.pool, TokenCipher.fromSecret(core.secret)),
        },
      }
    : { botToken: env.SLACK_BOT_TOKEN! };
  const slack: SlackAdapter = createSlackApp(
    {
      ...tokens,
      signingSecret: env.SLACK_SIGNING_SECRET,
      appToken: env.SLACK_APP_TOKEN,
      apiUrl: env.SLACK_API_URL,
      auditUrl: env.PUBLIC_URL ? (id: string) => new URL(`/v1/actions/${id}`, env.PUBLIC_URL).toString() : undefined,
      pacer,
      workspaceOf: (tenant) => policy.current().tenants.get(tenant)?.workspaces.get('slack')?.id,
    } as SlackConfig,
    {
      recordReview: (cmd) => useCases.recordReview(cmd),
      adminCommand: (actor, text) => useCases.adminCommand(actor, text),
      // The platform maps workspaces to tenants; bound once the adapter exists.
      actionForEdit: makeEditableAction({ actions, policy, directory: { tenantOf: (p, teamId) => slack.platform.tenantOf(p, teamId) } }),
    },
    log,
    seenRequests && { seenRequests, now: () => clock.now().getTime() },
  );
  seenRequests?.startExpiry((err) => log.warn({ err: (err as Error).message }, 'could not expire the Slack requests seen; retrying in 30 s'));
  return {
    ...slack,
    stop: async () => {
      seenRequests?.stopExpiry();
      await slack.stop();
    },
  };
}
