import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { registerAdminCommand } from './register-admin-command.js';
import { registerReviewListeners } from './register-review-listeners.js';
import { SlackPlatform } from './slack-platform.js';
import type { SlackPorts } from './slack-ports.js';
import { makeUserEmails } from './user-emails.js';

export interface SlackConfig {
  botToken: string;
  signingSecret?: string;
  /** Socket Mode when set. */
  appToken?: string;
  apiUrl: string;
  auditUrl?: (actionId: string) => string;
}

export const SLACK_EVENTS_PATH = '/slack/events';

/**
 * Bolt inside our process: over HTTP its receiver's request listener serves
 * POST /slack/events on our Fastify server (Bolt verifies the signature and
 * timestamp, and answers 401 otherwise); with an app token it runs in Socket
 * Mode instead, connecting once the platform's start-up check passes.
 *
 * Bolt is given an `authorize` function rather than the token: with a token
 * it calls auth.test while it is constructed and an invalid token or no
 * route to Slack then crashes the whole process (an unhandled rejection)
 * before it listens. The check runs instead as SlackPlatform.check, which
 * main repeats with backoff while the gate keeps deciding.
 */
export function createSlackApp(config: SlackConfig, ports: SlackPorts, log: Logger) {
  let socketStarted = false;
  const platform = SlackPlatform.create(config.botToken, config.apiUrl, {
    auditUrl: config.auditUrl,
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
  // Replies to a clicker wait out a 429 (a reviewer must hear back); card jobs use the platform's client, which does not.
  const interactive = new WebClient(config.botToken, {
    slackApiUrl: config.apiUrl,
    retryConfig: { retries: 3, factor: 2, minTimeout: 200, maxTimeout: 2_000, randomize: true },
    timeout: 10_000,
  });
  const authorize = async () => ({ botToken: config.botToken, ...platform.botIdentity() });
  const clientOptions = { slackApiUrl: config.apiUrl, retryConfig: { retries: 3, factor: 2, minTimeout: 200, maxTimeout: 2_000, randomize: true }, timeout: 10_000 };
  const boltLogLevel = LogLevel.ERROR;
  let receiver: HTTPReceiver | undefined;
  let app: App;
  if (config.appToken) {
    app = new App({ authorize, appToken: config.appToken, socketMode: true, clientOptions, logLevel: boltLogLevel });
  } else {
    if (!config.signingSecret) throw new Error('SLACK_SIGNING_SECRET is required for Slack over HTTP');
    receiver = new HTTPReceiver({
      signingSecret: config.signingSecret,
      endpoints: SLACK_EVENTS_PATH,
      processBeforeResponse: false,
      unhandledRequestTimeoutMillis: 2_500,
      logLevel: boltLogLevel,
    });
    app = new App({ authorize, receiver, clientOptions, logLevel: boltLogLevel });
  }
  app.error(async (err) => {
    log.error({ err: err.message }, 'Slack listener error');
  });
  const userEmail = makeUserEmails(interactive);
  registerReviewListeners(app, interactive, ports, userEmail, log);
  registerAdminCommand(app, ports, userEmail, log);

  return {
    platform,
    /** Mounts POST /slack/events (HTTP mode only); the body is left unread for Bolt's signature check. */
    mount: async (server: FastifyInstance) => {
      if (!receiver) return;
      const listener = receiver.requestListener;
      await server.register(async (scope) => {
        scope.removeAllContentTypeParsers();
        scope.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));
        scope.post(SLACK_EVENTS_PATH, (req, reply) => {
          reply.hijack();
          listener(req.raw, reply.raw);
        });
      });
    },
    stop: async () => {
      if (socketStarted) await app.stop();
    },
  };
}

export type SlackAdapter = ReturnType<typeof createSlackApp>;
