import type { Logger } from 'pino';
import type { Env } from '../config/env.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../infra/postgres/embedded.js';

/** DATABASE_URL, or the embedded cluster under AIRLOCK_DATA_DIR (SPEC §8). */
export async function resolveDatabase(env: Env, log: Logger): Promise<EmbeddedDatabase> {
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, stop: async () => undefined };
  log.info('DATABASE_URL not set: using embedded Postgres');
  return startEmbeddedPostgres(env.AIRLOCK_DATA_DIR, (msg) => log.info(msg));
}
