import type { Installation, InstallationQuery, InstallationStore } from '@slack/bolt';
import type { Logger } from 'pino';
import type { ChatInstallation, ChatInstallations } from '../../src/ports/chat-installations.js';

const PLATFORM = 'slack';

/** Thrown by fetchInstallation when nothing serves the workspace: the installer wraps it, and SlackTokens tells it from an outage. */
export class NoInstallation extends Error {
  constructor(where: string) {
    super(`no Slack installation serves ${where}`);
    this.name = 'NoInstallation';
  }
}

type Bot = NonNullable<Installation['bot']>;

const where = (q: InstallationQuery<boolean>) => (q.isEnterpriseInstall ? { orgId: q.enterpriseId, orgWide: true } : { workspaceId: q.teamId, orgId: q.enterpriseId });
const named = (q: InstallationQuery<boolean>) => (q.isEnterpriseInstall ? `organisation ${q.enterpriseId}` : `workspace ${q.teamId ?? q.enterpriseId ?? '?'}`);
const text = (v: unknown) => (typeof v === 'string' ? v : undefined);

/**
 * Bolt's InstallationStore over the ChatInstallations port: what the OAuth
 * install and the installer's `authorize` save and read, as Airlock keeps
 * it (tokens sealed at rest; no user token: Airlock asks for none).
 *
 * An organisation-wide install serves the workspaces its organisation
 * granted: listed with auth.teams.list when it is installed (`orgTeams`),
 * kept up to date by the team_access events, and learned from any request
 * of a workspace of the organisation.
 */
export function slackInstallationStore(installations: ChatInstallations, deps: { orgTeams(token: string): Promise<string[]>; log: Logger }): InstallationStore {
  // The workspaces of installations this store handed out: when authorize saves one back with a refreshed token, they are kept rather than listed again.
  const fetched = new WeakMap<Bot, string[]>();

  return {
    async storeInstallation(installation) {
      const bot = installation.bot;
      if (!bot) throw new Error('Slack granted no bot token: the app must ask for bot scopes');
      const orgWide = installation.isEnterpriseInstall === true;
      let orgWorkspaces = fetched.get(bot) ?? [];
      if (orgWide && !fetched.has(bot)) {
        orgWorkspaces = await deps.orgTeams(bot.token).catch((err: Error) => {
          deps.log.warn({ org: installation.enterprise?.id, err: err.message }, 'could not list the workspaces of the Slack organisation; each is learned from its first request or a team_access_granted event');
          return [];
        });
      }
      const record: ChatInstallation = {
        platform: PLATFORM,
        ...(orgWide ? {} : { workspaceId: installation.team?.id }),
        ...(installation.enterprise?.id ? { orgId: installation.enterprise.id } : {}),
        orgWide,
        orgWorkspaces,
        botToken: bot.token,
        ...(bot.refreshToken ? { refreshToken: bot.refreshToken } : {}),
        ...(bot.expiresAt ? { expiresAt: new Date(bot.expiresAt * 1000) } : {}),
        details: {
          team_name: installation.team?.name ?? null,
          enterprise_name: installation.enterprise?.name ?? null,
          enterprise_url: installation.enterpriseUrl ?? null,
          app_id: installation.appId ?? null,
          bot_id: bot.id,
          bot_user_id: bot.userId,
          scopes: bot.scopes,
          installer_user_id: installation.user?.id ?? null,
        },
      };
      await installations.save(record);
    },

    async fetchInstallation(query) {
      const found = await installations.find(PLATFORM, where(query));
      if (!found) throw new NoInstallation(named(query));
      // A signed request from a workspace of the organisation proves the install serves it.
      if (found.orgWide && found.orgId && query.teamId && query.enterpriseId === found.orgId && !found.orgWorkspaces.includes(query.teamId)) {
        await installations.changeOrgWorkspaces(PLATFORM, found.orgId, { add: [query.teamId] });
        found.orgWorkspaces.push(query.teamId);
      }
      const d = found.details;
      const bot: Bot = {
        token: found.botToken,
        ...(found.refreshToken ? { refreshToken: found.refreshToken } : {}),
        ...(found.expiresAt ? { expiresAt: Math.floor(found.expiresAt.getTime() / 1000) } : {}),
        scopes: Array.isArray(d.scopes) ? (d.scopes as string[]) : [],
        id: text(d.bot_id) ?? '',
        userId: text(d.bot_user_id) ?? '',
      };
      fetched.set(bot, found.orgWorkspaces);
      return {
        team: found.orgWide ? undefined : { id: found.workspaceId!, ...(text(d.team_name) ? { name: text(d.team_name) } : {}) },
        enterprise: found.orgId ? { id: found.orgId, ...(text(d.enterprise_name) ? { name: text(d.enterprise_name) } : {}) } : undefined,
        user: { id: text(d.installer_user_id) ?? '', token: undefined, scopes: undefined },
        bot,
        appId: text(d.app_id),
        tokenType: 'bot',
        enterpriseUrl: text(d.enterprise_url),
        isEnterpriseInstall: found.orgWide,
        authVersion: 'v2',
      } as Installation;
    },

    async deleteInstallation(query) {
      await installations.remove(PLATFORM, where(query));
    },
  };
}
