import type { App, Context } from '@slack/bolt';
import type { Logger } from 'pino';
import type { ChatInstallations, InstallationWhere } from '../../src/ports/chat-installations.js';

const PLATFORM = 'slack';

/** The installation an event is about: the organisation's for an organisation-wide install, else the workspace's own. */
const installationOf = (context: Context): InstallationWhere =>
  context.isEnterpriseInstall ? { orgId: context.enterpriseId, orgWide: true } : { workspaceId: context.teamId };

const named = (w: InstallationWhere) => (w.orgWide ? `organisation ${w.orgId ?? '?'}` : `workspace ${w.workspaceId ?? '?'}`);

/**
 * Slack's word on installations, as signed events: `app_uninstalled` and
 * `tokens_revoked` (the bot's token) remove the installation at once, so the
 * tenants of that workspace get their cards held instead of posts that
 * would fail; `team_access_granted` and `team_access_revoked` keep the
 * workspaces an organisation-wide install serves. Bolt acks each event
 * before its listener runs.
 */
export function registerInstallEvents(app: App, installations: ChatInstallations, log: Logger) {
  const remove = async (context: Context, why: string) => {
    const where = installationOf(context);
    try {
      const removed = await installations.remove(PLATFORM, where);
      log.info({ workspace: where.workspaceId, org: where.orgId, removed }, `Slack ${why} in ${named(where)}: installation removed; its tenants' cards are held until the app is installed there again`);
    } catch (err) {
      log.error({ workspace: where.workspaceId, org: where.orgId, err: (err as Error).message }, `Slack ${why} in ${named(where)}, but the installation could not be removed; cards there fail until it is`);
    }
  };

  const orgWorkspaces = async (context: Context, change: { add?: string[]; remove?: string[] }) => {
    if (!context.enterpriseId) return;
    try {
      await installations.changeOrgWorkspaces(PLATFORM, context.enterpriseId, change);
      log.info({ org: context.enterpriseId, ...change }, 'Slack organisation changed the workspaces Airlock is granted');
    } catch (err) {
      log.error({ org: context.enterpriseId, err: (err as Error).message }, 'could not record the workspaces a Slack organisation granted or took back');
    }
  };

  app.event('app_uninstalled', async ({ context }) => remove(context, 'app uninstalled'));
  app.event('tokens_revoked', async ({ event, context }) => {
    // Only a revoked bot token matters: Airlock keeps no user token.
    if ((event.tokens.bot ?? []).length > 0) await remove(context, 'bot token revoked');
  });
  app.event('team_access_granted', async ({ event, context }) => orgWorkspaces(context, { add: event.team_ids }));
  app.event('team_access_revoked', async ({ event, context }) => orgWorkspaces(context, { remove: event.team_ids }));
}
