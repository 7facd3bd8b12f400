/**
 * Runs the real TeamsPlatform (and botbuilder) in a child process started
 * with NODE_EXTRA_CA_CERTS, so it trusts the fake Bot Framework's https
 * login. The test drives it over the IPC channel: `{id, method, args}` in,
 * `{id, ok, value | error}` out. `setServiceUrls` replaces the tenant → URL map.
 * With PACER_DATABASE_URL its cards are paced through that database.
 */
import pg from 'pg';
import pino from 'pino';
import { createBotFramework } from '../../adapters/teams/bot-framework.js';
import { TeamsPlatform } from '../../adapters/teams/teams-platform.js';
import { PgSendPacer } from '../../src/infra/postgres/send-pacer.js';

const env = process.env;
let serviceUrls: Record<string, string> = {};
const bot = createBotFramework({
  appId: env.TEAMS_APP_ID!,
  appPassword: env.TEAMS_APP_PASSWORD!,
  openIdMetadataUrl: env.TEAMS_OPENID_METADATA_URL!,
  loginUrl: env.TEAMS_LOGIN_URL!,
});
const pacer = env.PACER_DATABASE_URL ? new PgSendPacer(new pg.Pool({ connectionString: env.PACER_DATABASE_URL, max: 2 }), pino({ level: 'silent' })) : undefined;
const notifier = new TeamsPlatform(bot, {
  serviceUrlFor: async (tenant: string) => serviceUrls[tenant],
  retry: { attempts: 4, baseDelayMs: 50 },
  pacer,
});

const DATE_KEYS = new Set(['expiresAt', 'createdAt', 'decidedAt', 'at', 'remindAt', 'date']);
const revive = (key: string, value: unknown) => {
  if (DATE_KEYS.has(key) && typeof value === 'string') return new Date(value);
  // Maps (a reviewer group's chat targets) travel as { __map: entries }: see sendToChild.
  if (value && typeof value === 'object' && '__map' in value) return new Map((value as { __map: [unknown, unknown][] }).__map);
  return value;
};

process.on('message', async (raw: string) => {
  const msg = JSON.parse(raw, revive) as { id: number; method: string; args: unknown[] };
  try {
    let value: unknown;
    if (msg.method === 'setServiceUrls') serviceUrls = msg.args[0] as Record<string, string>;
    else value = await (notifier as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[msg.method]!(...msg.args);
    process.send!({ id: msg.id, ok: true, value });
  } catch (err) {
    const e = err as { name?: string; code?: string; retry?: boolean; message?: string };
    process.send!({ id: msg.id, ok: false, error: { name: e.name, code: e.code, retry: e.retry, message: e.message } });
  }
});
process.send!({ ready: true });
