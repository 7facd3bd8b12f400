import type { App, Context } from '@slack/bolt';
import type { Logger } from 'pino';
import { message } from '../../src/domain/message.js';
import { renderMessage } from './render-message.js';
import type { SlackPorts } from './slack-ports.js';

export const ADMIN_COMMAND = '/airlock';

/**
 * `/airlock <command>`: acked at once (Slack allows 3 s), answered
 * ephemerally through the response_url once the use case has run.
 * `/airlock ids` is Slack's own: the ids an admin needs for the policy file.
 */
export function registerAdminCommand(app: App, ports: SlackPorts, userEmail: (context: Context, userId: string) => Promise<string | undefined>, log: Logger) {
  app.command(ADMIN_COMMAND, async ({ command, ack, respond, context }) => {
    await ack();
    void (async () => {
      if ((command.text ?? '').trim().toLowerCase() === 'ids') {
        const ids = message(
          ['Workspace (', { code: 'tenants.<t>.slack.team_id' }, '): ', { code: command.team_id }],
          ['This channel (', { code: 'reviewer_groups.<g>.slack.channel' }, '): ', { code: command.channel_id }],
          ['You (', { code: 'users' }, ' / ', { code: 'admins.slack' }, '): ', { code: command.user_id }],
        );
        await respond({ response_type: 'ephemeral', text: renderMessage(ids) });
        return;
      }
      const email = await userEmail(context, command.user_id);
      let text: string;
      try {
        const reply = await ports.adminCommand({ kind: 'chat', platform: 'slack', userId: command.user_id, teamId: command.team_id, email }, command.text ?? '');
        text = renderMessage(reply.message);
      } catch (err) {
        log.error({ err: (err as Error).message }, '/airlock could not be carried out');
        text = 'Airlock could not carry out the command (its database is unreachable). Nothing changed; try again in a minute.';
      }
      await respond({ response_type: 'ephemeral', text });
    })().catch((err) => log.error({ err: (err as Error).message }, '/airlock failed after ack'));
  });
}
