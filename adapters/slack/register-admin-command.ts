import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import type { SlackPorts } from './slack-ports.js';

export const ADMIN_COMMAND = '/airlock';

/**
 * `/airlock <command>`: acked at once (Slack allows 3 s), answered
 * ephemerally through the response_url once the use case has run.
 */
export function registerAdminCommand(app: App, ports: SlackPorts, userEmail: (userId: string) => Promise<string | undefined>, log: Logger) {
  app.command(ADMIN_COMMAND, async ({ command, ack, respond }) => {
    await ack();
    void (async () => {
      const email = await userEmail(command.user_id);
      const reply = await ports.adminCommand({ platform: 'slack', userId: command.user_id, teamId: command.team_id, email }, command.text ?? '');
      await respond({ response_type: 'ephemeral', text: reply.text });
    })().catch((err) => log.error({ err: (err as Error).message }, '/airlock failed after ack'));
  });
}
