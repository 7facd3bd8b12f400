import type { Activity } from 'botbuilder';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { MAX_VALID_AHEAD_MS, type SeenActivities } from '../../src/ports/seen-activities.js';
import { activityKey } from './activity-key.js';
import { CHANNEL_TOKEN_ISSUER, createBotFramework, type BotFrameworkConfig } from './bot-framework.js';
import { makeMemberEmails } from './member-emails.js';
import { makeTeamsBot } from './teams-bot.js';
import { TeamsPlatform, type TeamsPlatformDeps } from './teams-platform.js';
import type { TeamsPorts } from './teams-ports.js';
import { ChannelTokenVerifier } from './verify-channel-token.js';

export const TEAMS_MESSAGES_PATH = '/api/messages';
/** Bot Framework activities are small; a card click with edited arguments stays far below this. */
const BODY_LIMIT = 512 * 1024;
/** Clock skew allowed on a channel token's exp/nbf, as botbuilder allows. */
const SKEW_SECONDS = 300;

export interface TeamsConfig extends BotFrameworkConfig {
  auditUrl?: (actionId: string) => string;
}

/** What serving /api/messages needs besides the use cases: the record of activities already handled. */
export interface TeamsHttpDeps {
  seenActivities: SeenActivities;
}

/**
 * The Teams adapter: POST /api/messages on our Fastify server, the bot's
 * turn handling and the proactive notifier. Every request is authenticated
 * twice before anything is read from it beyond the token: by Airlock's own
 * strict check (verify-channel-token.ts), then by botbuilder. Any failure is
 * 401 with an empty body, and the activity is not processed.
 *
 * A channel token does not sign the activity and stays valid for about an
 * hour, so an authentic activity is then checked against those already
 * handled, by every process, for its token's lifetime: one sent again
 * (captured and replayed, or redelivered) is answered 200 and not handled.
 */
export function createTeamsApp(config: TeamsConfig, ports: TeamsPorts, log: Logger, platformDeps: Omit<TeamsPlatformDeps, 'auditUrl'>, httpDeps: TeamsHttpDeps) {
  const bot = createBotFramework(config);
  const verifier = new ChannelTokenVerifier({
    appId: config.appId,
    issuer: CHANNEL_TOKEN_ISSUER,
    openIdMetadataUrl: config.openIdMetadataUrl,
    channelId: 'msteams',
    skewSeconds: SKEW_SECONDS,
    maxValidAheadSeconds: MAX_VALID_AHEAD_MS / 1000 - SKEW_SECONDS,
  });
  const firstTime = async (key: Buffer, validUntil: Date) => {
    try {
      return await httpDeps.seenActivities.firstTime(key, validUntil);
    } catch (err) {
      // Postgres away: nothing the activity asks for can be recorded either, so letting it through changes nothing.
      log.warn({ err: (err as Error).message }, 'could not check the Teams activity against those already handled; handling it');
      return true;
    }
  };
  const teamsBot = makeTeamsBot({ ports, bot, emails: makeMemberEmails(bot), auditUrl: config.auditUrl, log });
  const platform = new TeamsPlatform(bot, { ...platformDeps, auditUrl: config.auditUrl });

  const mount = async (server: FastifyInstance) => {
    await server.register(async (scope) => {
      // The body is read as text and parsed only after the Authorization header passed its first checks.
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_req, body, done) => done(null, body));
      scope.post(TEAMS_MESSAGES_PATH, { bodyLimit: BODY_LIMIT }, async (req, reply) => {
        const authHeader = typeof req.headers.authorization === 'string' ? req.headers.authorization : undefined;
        const refuse = (why: string) => {
          log.warn({ why }, 'Teams request refused (401)');
          return reply.code(401).send();
        };
        if (!authHeader) return refuse('no Authorization header');
        const activity = parseActivity(req.body);
        if (!activity) return refuse('body is not a JSON activity');
        const check = await verifier.check(authHeader, activity);
        if (!check.ok) return refuse(check.why);
        let auth;
        try {
          auth = await bot.authenticate(activity as unknown as Activity, authHeader);
        } catch (err) {
          return refuse(`botbuilder: ${(err as Error).message?.slice(0, 200)}`);
        }
        const key = activityKey(activity);
        if (!key) return reply.code(400).send({ error: { code: 'validation_failed', message: 'the activity has no id or no conversation id', details: [] } });
        if (!(await firstTime(key, check.validUntil))) {
          log.warn({ type: activity.type }, 'Teams activity already handled (a replay or a redelivery): answered 200, not handled');
          if (activity.type === 'invoke') return reply.code(200).send(ALREADY_HANDLED);
          return reply.code(200).send();
        }
        try {
          const result = await bot.runTurn(auth, activity as unknown as Activity, teamsBot.onTurn);
          if (result) return reply.code(result.status).send(result.body ?? null);
          return reply.code(200).send();
        } catch (err) {
          log.error({ err: (err as Error).message, type: activity.type }, 'Teams activity failed');
          if (activity.type === 'invoke') {
            return reply.code(200).send({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'Airlock could not process this click. Try again.' });
          }
          return reply.code(500).send();
        }
      });
    });
  };

  return { bot, platform, mount };
}

export type TeamsAdapter = ReturnType<typeof createTeamsApp>;

/** What an invoke sent again is answered with: Teams shows it to the clicker; nothing is decided. */
const ALREADY_HANDLED = { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'Airlock already received this click; it was not handled again.' };

function parseActivity(body: unknown): { type?: unknown; serviceUrl?: unknown; channelId?: unknown; [k: string]: unknown } | undefined {
  if (typeof body !== 'string') return undefined;
  try {
    const v: unknown = JSON.parse(body);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
