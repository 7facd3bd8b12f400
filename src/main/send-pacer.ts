import { PgSendPacer } from '../infra/postgres/send-pacer.js';
import { RedisSendPacer } from '../infra/redis/send-pacer.js';
import { unpaced, type SendPacer } from '../ports/send-pacer.js';
import type { Core } from './container.js';

/**
 * The pacer chat platforms send through, shared by every process of the
 * deployment: in Redis when REDIS_URL is set (one Lua call per send), as the
 * queues are; otherwise in Postgres (one function call per send).
 * AIRLOCK_CHAT_PACING=off sends unpaced (the platforms' 429s still delay cards).
 */
export async function createSendPacer(core: Core): Promise<SendPacer> {
  const { env, log } = core;
  if (env.AIRLOCK_CHAT_PACING === 'off') return unpaced;
  return env.REDIS_URL ? RedisSendPacer.connect(env.REDIS_URL, { prefix: core.redisPrefix, log }) : new PgSendPacer(core.pool, log);
}
