/**
 * Runs the real TeamsPlatform (and botbuilder) in a child process started
 * with NODE_EXTRA_CA_CERTS, so it trusts the fake Bot Framework's https
 * login. The test drives it over the IPC channel: `{id, method, args}` in,
 * `{id, ok, value | error}` out. `setServiceUrls` replaces the tenant → URL map.
 */
import { createBotFramework } from '../../adapters/teams/bot-framework.js';
import { TeamsPlatform } from '../../adapters/teams/teams-platform.js';

const env = process.env;
let serviceUrls: Record<string, string> = {};
const bot = createBotFramework({
  appId: env.TEAMS_APP_ID!,
  appPassword: env.TEAMS_APP_PASSWORD!,
  openIdMetadataUrl: env.TEAMS_OPENID_METADATA_URL!,
  loginUrl: env.TEAMS_LOGIN_URL!,
});
const notifier = new TeamsPlatform(bot, {
  serviceUrlFor: async (tenant: string) => serviceUrls[tenant],
  retry: { attempts: 4, baseDelayMs: 50 },
});

const DATE_KEYS = new Set(['expiresAt', 'createdAt', 'decidedAt', 'at', 'remindAt']);
const revive = (key: string, value: unknown) => (DATE_KEYS.has(key) && typeof value === 'string' ? new Date(value) : value);

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
