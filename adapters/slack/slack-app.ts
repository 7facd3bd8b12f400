import { App, HTTPReceiver, LogLevel, type Context } from '@slack/bolt';
import type { FastifyInstance } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { SeenRequests } from '../../src/ports/seen-requests.js';
import type { SendPacer } from '../../src/ports/send-pacer.js';
import { registerAdminCommand } from './register-admin-command.js';
import { registerInstallEvents } from './register-install-events.js';
import { registerReviewListeners } from './register-review-listeners.js';
import { SlackClients } from './slack-clients.js';
import { INSTALL_PATH, REDIRECT_PATH, installUrlOf, slackOAuthOptions, type SlackOAuthConfig } from './slack-oauth.js';
import { SlackPlatform } from './slack-platform.js';
import { slackLogger } from './slack-logger.js';
import type { SlackPorts } from './slack-ports.js';
import { installedTokens, oneToken, type SlackTokens } from './slack-tokens.js';
import { makeMemberEmails } from './member-emails.js';
import { isSslCheck, replayAnswer, verifySlackRequest } from './verify-slack-request.js';
import { webClientOptions } from './web-client-options.js';

/** One workspace (`botToken`, SLACK_BOT_TOKEN) or many, each with its installation (`oauth`, SLACK_CLIENT_ID…). */
export type SlackConfig = (
  | { botToken: string; oauth?: undefined }
  | { botToken?: undefined; oauth: Omit<SlackOAuthConfig, 'seenRequests'> }
) & {
  signingSecret?: string;
  /** Socket Mode when set. */
  appToken?: string;
  apiUrl: string;
  auditUrl?: (actionId: string) => string;
  /** Shared by every process, so together they keep to Slack's per-channel and per-method limits (slack-limits.ts). */
  pacer?: SendPacer;
  /** The workspace (team id) a tenant's policy names: where its cards go when tokens are per workspace. */
  workspaceOf?: (tenant: string) => string | undefined;
};

export const SLACK_EVENTS_PATH = '/slack/events';
/** The intake API's limit; Bolt's own (4 MB) is never reached, as the body is read here first. */
const BODY_LIMIT = 1024 * 1024;

/** What serving Slack over HTTP needs besides the use cases: replay detection, and the time for signature windows. */
export interface SlackHttpDeps {
  seenRequests: SeenRequests;
  now(): number;
}

/**
 * Bolt inside our process: over HTTP its receiver's request listener serves
 * POST /slack/events on our Fastify server; with an app token it runs in
 * Socket Mode instead, connecting once the platform's start-up check passes.
 *
 * Over HTTP the body is read by Fastify within the 1 MB limit (413, and the
 * connection closed, past it), then verified here (signature, timestamp
 * within 5 minutes either way) and checked against the requests already
 * seen, before Bolt gets it already buffered (it verifies again).
 *
 * Bolt is given an `authorize` function rather than the token: with a token
 * it calls auth.test while it is constructed and an invalid token or no
 * route to Slack then crashes the whole process (an unhandled rejection)
 * before it listens. The check runs instead as SlackPlatform.check, which
 * main repeats with backoff while the gate keeps deciding.
 *
 * Installed into many workspaces (`oauth`), Bolt's receiver also serves the
 * OAuth install (GET /slack/install and /slack/oauth_redirect, slack-oauth.ts)
 * and its installer's `authorize` gives each request the token of its
 * workspace; every call Airlock makes itself asks the same installer for the
 * token of the workspace it is for (slack-tokens.ts).
 */
export function createSlackApp(config: SlackConfig, ports: SlackPorts, log: Logger, httpDeps?: SlackHttpDeps) {
  let socketStarted = false;
  // Bolt shares its own logger with the clients it makes (and sets its level on it).
  const boltLogger = slackLogger(log, 'bolt');
  const clientOptions = webClientOptions(config.apiUrl, boltLogger);
  const boltLogLevel = LogLevel.WARN;
  let receiver: HTTPReceiver | undefined;
  let app: App;
  let tokens: SlackTokens;
  if (config.oauth) {
    if (config.appToken) throw new Error('Slack across workspaces runs over HTTP: unset SLACK_APP_TOKEN');
    if (!config.signingSecret) throw new Error('SLACK_SIGNING_SECRET is required for Slack over HTTP');
    const oauth = slackOAuthOptions({ ...config.oauth, seenRequests: httpDeps?.seenRequests }, config.apiUrl, (token) => clients.forToken('replies', token), log);
    receiver = new HTTPReceiver({ ...receiverOptions(config.signingSecret, log, boltLogLevel), ...oauth });
    tokens = installedTokens(receiver.installer!.authorize, config.oauth.installations, installUrlOf(config.oauth.publicUrl));
    app = new App({ receiver, clientOptions, logger: boltLogger, logLevel: boltLogLevel });
    registerInstallEvents(app, config.oauth.installations, log);
  } else {
    const botToken = config.botToken;
    tokens = oneToken(botToken);
    const authorize = async () => ({ botToken, ...platform.botIdentity() });
    if (config.appToken) {
      app = new App({ authorize, appToken: config.appToken, socketMode: true, clientOptions, logger: boltLogger, logLevel: boltLogLevel });
    } else {
      if (!config.signingSecret) throw new Error('SLACK_SIGNING_SECRET is required for Slack over HTTP');
      receiver = new HTTPReceiver(receiverOptions(config.signingSecret, log, boltLogLevel));
      app = new App({ authorize, receiver, clientOptions, logger: boltLogger, logLevel: boltLogLevel });
    }
  }
  const clients = new SlackClients(tokens, config.apiUrl, log);
  const platform = new SlackPlatform(clients, {
    auditUrl: config.auditUrl,
    pacer: config.pacer,
    workspaceOf: config.workspaceOf,
    onConnected: async () => {
      if (!config.appToken || socketStarted) return;
      try {
        await app.start();
      } catch (err) {
        throw new Error(`Slack refused the Socket Mode connection: check SLACK_APP_TOKEN (${(err as Error).message?.slice(0, 120)})`);
      }
      socketStarted = true;
    },
  });
  app.error(async (err) => {
    log.error({ err: err.message }, 'Slack listener error');
  });
  // Replies to a clicker wait out a 429 (a reviewer must hear back); card jobs use the platform's clients, which do not.
  // The token is the request's, as authorize gave it: that of the workspace the click or command came from.
  const replies = (context: Context) => clients.forToken('replies', context.botToken!);
  const memberEmails = makeMemberEmails();
  const userEmail = (context: Context, userId: string) => memberEmails(replies(context), userId);
  registerReviewListeners(app, replies, ports, userEmail, log);
  registerAdminCommand(app, ports, userEmail, log);

  return {
    platform,
    /** Mounts POST /slack/events, and with installations GET /slack/install and /slack/oauth_redirect (HTTP mode only). */
    mount: async (server: FastifyInstance) => {
      if (!receiver) return;
      const listener = receiver.requestListener;
      const signingSecret = config.signingSecret!;
      const firstTime = async (digest: Buffer, signedAt: Date) => {
        if (!httpDeps) return true;
        try {
          return await httpDeps.seenRequests.firstTime(digest, signedAt);
        } catch (err) {
          // Postgres away: nothing the request asks for can be recorded either, so letting it through changes nothing.
          log.warn({ err: (err as Error).message }, 'could not check the Slack request against those already seen; handling it');
          return true;
        }
      };
      await server.register(async (scope) => {
        scope.removeAllContentTypeParsers();
        scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_req, body, done) => done(null, body));
        scope.post(SLACK_EVENTS_PATH, { bodyLimit: BODY_LIMIT }, async (req, reply) => {
          const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
          if (!isSslCheck(req.headers, body)) {
            const check = verifySlackRequest(signingSecret, req.headers, body, httpDeps?.now() ?? Date.now());
            if (!check.ok) {
              log.warn({ why: check.why }, 'Slack request refused (401)');
              return reply.code(401).send();
            }
            if (!(await firstTime(check.digest, check.signedAt))) {
              log.warn('replayed Slack request refused (answered 200, not handled)');
              const answer = replayAnswer(req.headers, body);
              if (answer.contentType) reply.type(answer.contentType);
              return reply.code(200).send(answer.body);
            }
          }
          (req.raw as IncomingMessage & { rawBody?: Buffer }).rawBody = body;
          reply.hijack();
          listener(req.raw, reply.raw);
        });
        if (config.oauth) {
          // The installer answers these itself, query string and cookie included.
          for (const path of [INSTALL_PATH, REDIRECT_PATH]) {
            scope.get(path, async (req, reply) => {
              reply.hijack();
              listener(req.raw, reply.raw);
            });
          }
        }
      });
    },
    stop: async () => {
      if (socketStarted) await app.stop();
    },
  };
}

/** Bolt's receiver over HTTP: verified requests to POST /slack/events, acked before the listeners run. */
const receiverOptions = (signingSecret: string, log: Logger, level: LogLevel) => ({
  signingSecret,
  endpoints: SLACK_EVENTS_PATH,
  processBeforeResponse: false,
  unhandledRequestTimeoutMillis: 2_500,
  // Given a logger, the receiver leaves its level alone.
  logger: slackLogger(log, 'bolt:receiver', level),
});

export type SlackAdapter = ReturnType<typeof createSlackApp>;
