import type { AuthorizeResult, InstallationQuery } from '@slack/bolt';
import { AirlockError } from '../../src/domain/errors.js';
import { NotInstalled } from '../../src/domain/not-installed.js';
import type { ChatInstallations, Unserved } from '../../src/ports/chat-installations.js';
import { NoInstallation } from './slack-installation-store.js';

/** A Slack workspace as a request or a tenant names it: its team id, and its Enterprise Grid organisation when known. */
export interface SlackWorkspace {
  teamId?: string;
  enterpriseId?: string;
}

/**
 * Which bot token serves a workspace: with SLACK_BOT_TOKEN one token serves
 * every workspace it is asked about; installed into many workspaces, each
 * workspace's installation brings its own.
 */
export interface SlackTokens {
  readonly perWorkspace: boolean;
  /** Throws NotInstalled when no installation serves the workspace. */
  botToken(workspace: SlackWorkspace): Promise<string>;
  /** Of these workspaces, those no installation serves, and why (none with one token for all). */
  unserved(teamIds: readonly string[]): Promise<Map<string, Unserved>>;
  /** Where a workspace installs the app (with tokens per workspace). */
  readonly installUrl?: string;
}

export const oneToken = (token: string): SlackTokens => ({
  perWorkspace: false,
  botToken: async () => token,
  unserved: async () => new Map(),
});

/**
 * Tokens of the installations, through the installer's `authorize`: it reads
 * the installation store, and where token rotation is on refreshes a token
 * that expires within two hours (saving the new one) before answering.
 */
export function installedTokens(
  authorize: (source: InstallationQuery<boolean>) => Promise<AuthorizeResult>,
  installations: ChatInstallations,
  installUrl: string,
): SlackTokens {
  return {
    perWorkspace: true,
    installUrl,
    botToken: async ({ teamId, enterpriseId }) => {
      const name = teamId ?? enterpriseId ?? '?';
      let result: AuthorizeResult;
      try {
        result = await authorize({ teamId, enterpriseId, isEnterpriseInstall: false });
      } catch (err) {
        // The installer wraps what the store threw.
        if ((err as { original?: unknown }).original instanceof NoInstallation) {
          throw new NotInstalled(name, `no Slack installation serves workspace ${name}: install Airlock there (${installUrl})`);
        }
        throw new AirlockError('unavailable', `could not read the Slack installation of workspace ${name}: ${(err as Error).message}`, { retry: true, cause: err });
      }
      if (!result.botToken) throw new NotInstalled(name, `the Slack installation of workspace ${name} has no bot token: install Airlock there again (${installUrl})`);
      return result.botToken;
    },
    unserved: (teamIds) => installations.unserved('slack', teamIds),
  };
}
