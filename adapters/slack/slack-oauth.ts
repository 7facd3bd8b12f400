import type { HTTPReceiverOptions } from '@slack/bolt';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { ChatInstallations } from '../../src/ports/chat-installations.js';
import type { SeenRequests } from '../../src/ports/seen-requests.js';
import { STATE_TTL_SECONDS, oauthStateStore } from './oauth-state-store.js';
import { refusalOf, renderInstallPage, renderInstalledPage, renderRefusedPage } from './render-install-pages.js';
import type { WebClient } from '@slack/web-api';
import { slackInstallationStore } from './slack-installation-store.js';
import { slackLogger } from './slack-logger.js';
import { BOT_SCOPES } from './slack-scopes.js';
import { webClientOptions } from './web-client-options.js';

export const INSTALL_PATH = '/slack/install';
export const REDIRECT_PATH = '/slack/oauth_redirect';

export interface SlackOAuthConfig {
  clientId: string;
  clientSecret: string;
  stateSecret: string;
  /** PUBLIC_URL: Slack sends each install back to PUBLIC_URL/slack/oauth_redirect. */
  publicUrl: string;
  installations: ChatInstallations;
  /** Makes each install state good once, across processes (absent where nothing is served: the CLI). */
  seenRequests?: SeenRequests;
}

/** Slack's authorize page, next to its Web API (so SLACK_API_URL moves both: proxies, tests). */
export const authorizeUrlOf = (apiUrl: string) => new URL('../oauth/v2/authorize', apiUrl).toString();

export const installUrlOf = (publicUrl: string) => new URL(INSTALL_PATH, publicUrl).toString();

/**
 * The OAuth v2 install, as Bolt's HTTP receiver runs it with @slack/oauth's
 * InstallProvider: GET /slack/install serves the "Add to Slack" page (its
 * state also set as a cookie, binding it to the browser), GET
 * /slack/oauth_redirect checks state and cookie, trades the code for a bot
 * token (oauth.v2.access), checks the token (auth.test) and saves the
 * installation. The scopes are the manifest's.
 *
 * Every outcome is a page for a person: what to do next after an install,
 * what to do about a refused one (never an error's stack). The log says what
 * happened, never a code, state or token.
 */
export function slackOAuthOptions(config: SlackOAuthConfig, apiUrl: string, clientFor: (token: string) => WebClient, log: Logger): Partial<HTTPReceiverOptions> {
  const installationStore = slackInstallationStore(config.installations, {
    orgTeams: async (token) => {
      const client = clientFor(token);
      const teams: string[] = [];
      let cursor: string | undefined;
      do {
        const res = await client.auth.teams.list({ limit: 1000, ...(cursor ? { cursor } : {}) });
        teams.push(...(res.teams ?? []).flatMap((t) => (t.id ? [t.id] : [])));
        cursor = res.response_metadata?.next_cursor || undefined;
      } while (cursor);
      return teams;
    },
    log,
  });
  const html = (res: { writeHead(status: number, headers: Record<string, string>): unknown; end(body: string): unknown }, status: number, body: string) => {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(body);
  };
  return {
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    redirectUri: new URL(REDIRECT_PATH, config.publicUrl).toString(),
    scopes: [...BOT_SCOPES],
    installationStore,
    installerOptions: {
      installPath: INSTALL_PATH,
      redirectUriPath: REDIRECT_PATH,
      directInstall: false,
      stateVerification: true,
      stateStore: oauthStateStore(config.stateSecret, config.seenRequests),
      stateCookieExpirationSeconds: STATE_TTL_SECONDS,
      authorizationUrl: authorizeUrlOf(apiUrl),
      renderHtmlForInstallPath: renderInstallPage,
      clientOptions: webClientOptions(apiUrl, slackLogger(log, 'web-api:oauth')),
      callbackOptions: {
        success: (installation, _options, _req, res) => {
          const orgWide = installation.isEnterpriseInstall === true;
          log.info({ workspace: installation.team?.id, org: installation.enterprise?.id, orgWide }, 'Slack app installed');
          html(res, 200, renderInstalledPage({ teamId: installation.team?.id, teamName: installation.team?.name, enterpriseId: installation.enterprise?.id, enterpriseName: installation.enterprise?.name, orgWide }));
        },
        failure: (error, _options, req: IncomingMessage, res) => {
          const slackError = (error as { data?: { error?: string } }).data?.error;
          const redirectError = new URL(req.url ?? '/', 'http://x').searchParams.get('error') ?? undefined;
          const refusal = refusalOf(error.code, slackError, redirectError && /^[a-z_]{1,64}$/.test(redirectError) ? redirectError : undefined);
          log.warn({ code: error.code, slackError, why: error.message }, `Slack install not completed: ${refusal.title}`);
          html(res, refusal.status, renderRefusedPage(refusal));
        },
      },
    },
  };
}
