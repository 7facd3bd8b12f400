import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import type { FastifyInstance } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { SeenRequests } from '../../src/ports/seen-requests.js';
import type { SendPacer } from '../../src/ports/send-pacer.js';
import { registerAdminCommand } from './register-admin-command.js';
import { registerReviewListeners } from './register-review-listeners.js';
import { SlackPlatform } from './slack-platform.js';
import { slackLogger } from './slack-logger.js';
import type { SlackPorts } from './slack-ports.js';
import { makeMemberEmails } from './member-emails.js';
import { isSslCheck, replayAnswer, verifySlackRequest } from './verify-slack-request.js';
import { webClientOptions } from './web-client-options.js';

export interface SlackConfig {
  botToken: string;
  signingSecret?: string;
  /** Socket Mode when set. */
  appToken?: string;
  apiUrl: string;
  auditUrl?: (actionId: string) => string;
  /** Shared by every process, so together they keep to Slack's per-channel and per-method limits (slack-limits.ts). */
  pacer?: SendPacer;
}

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
 */
export function createSlackApp(config: SlackConfig, ports: SlackPorts, log: Logger, httpDeps?: SlackHttpDeps) {
  let socketStarted = false;
  const platform = SlackPlatform.create(config.botToken, config.apiUrl, log, {
    auditUrl: config.auditUrl,
    pacer: config.pacer,
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
  const interactive = new WebClient(config.botToken, webClientOptions(config.apiUrl, slackLogger(log, 'web-api:replies')));
  const authorize = async () => ({ botToken: config.botToken, ...platform.botIdentity() });
  // Bolt shares its own logger with the clients it makes (and sets its level on it).
  const boltLogger = slackLogger(log, 'bolt');
  const clientOptions = webClientOptions(config.apiUrl, boltLogger);
  const boltLogLevel = LogLevel.WARN;
  let receiver: HTTPReceiver | undefined;
  let app: App;
  if (config.appToken) {
    app = new App({ authorize, appToken: config.appToken, socketMode: true, clientOptions, logger: boltLogger, logLevel: boltLogLevel });
  } else {
    if (!config.signingSecret) throw new Error('SLACK_SIGNING_SECRET is required for Slack over HTTP');
    receiver = new HTTPReceiver({
      signingSecret: config.signingSecret,
      endpoints: SLACK_EVENTS_PATH,
      processBeforeResponse: false,
      unhandledRequestTimeoutMillis: 2_500,
      // Given a logger, the receiver leaves its level alone.
      logger: slackLogger(log, 'bolt:receiver', boltLogLevel),
    });
    app = new App({ authorize, receiver, clientOptions, logger: boltLogger, logLevel: boltLogLevel });
  }
  app.error(async (err) => {
    log.error({ err: err.message }, 'Slack listener error');
  });
  const userEmail = makeMemberEmails(interactive);
  registerReviewListeners(app, interactive, ports, userEmail, log);
  registerAdminCommand(app, ports, userEmail, log);

  return {
    platform,
    /** Mounts POST /slack/events (HTTP mode only). */
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
      });
    },
    stop: async () => {
      if (socketStarted) await app.stop();
    },
  };
}

export type SlackAdapter = ReturnType<typeof createSlackApp>;
