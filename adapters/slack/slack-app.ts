import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { registerAdminCommand } from './register-admin-command.js';
import { registerReviewListeners } from './register-review-listeners.js';
import { SlackNotifier } from './slack-notifier.js';
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
 * Mode instead. The WebClient talks to `apiUrl`.
 */
export function createSlackApp(config: SlackConfig, ports: SlackPorts, log: Logger) {
  const clientOptions = {
    slackApiUrl: config.apiUrl,
    // 429: wait out Retry-After and retry; 5xx and network errors: a few quick retries, then the queue's backoff.
    rejectRateLimitedCalls: false,
    retryConfig: { retries: 3, factor: 2, minTimeout: 200, maxTimeout: 2_000, randomize: true },
    timeout: 10_000,
  };
  const boltLogLevel = LogLevel.ERROR;
  let receiver: HTTPReceiver | undefined;
  let app: App;
  if (config.appToken) {
    app = new App({ token: config.botToken, appToken: config.appToken, socketMode: true, clientOptions, logLevel: boltLogLevel });
  } else {
    if (!config.signingSecret) throw new Error('SLACK_SIGNING_SECRET is required for Slack over HTTP');
    receiver = new HTTPReceiver({
      signingSecret: config.signingSecret,
      endpoints: SLACK_EVENTS_PATH,
      processBeforeResponse: false,
      unhandledRequestTimeoutMillis: 2_500,
      logLevel: boltLogLevel,
    });
    app = new App({ token: config.botToken, receiver, clientOptions, logLevel: boltLogLevel });
  }
  app.error(async (err) => {
    log.error({ err: err.message }, 'Slack listener error');
  });
  const userEmail = makeUserEmails(app.client);
  registerReviewListeners(app, ports, userEmail, log);
  registerAdminCommand(app, ports, userEmail, log);
  const notifier = new SlackNotifier(app.client, config.auditUrl);

  return {
    app,
    notifier,
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
    start: async () => {
      if (config.appToken) await app.start();
    },
    stop: async () => {
      if (config.appToken) await app.stop();
    },
  };
}

export type SlackAdapter = ReturnType<typeof createSlackApp>;
