import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Env } from '../config/env.js';
import type { EmbeddedDatabase } from '../infra/postgres/embedded.js';

/**
 * DATABASE_URL, or the embedded cluster under AIRLOCK_DATA_DIR. The
 * embedded database's code is loaded only when it is used.
 */
export async function resolveDatabase(env: Env, log: Logger): Promise<EmbeddedDatabase> {
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, stop: async () => undefined };
  log.info('DATABASE_URL not set: using embedded Postgres');
  const { startEmbeddedPostgres } = await import('../infra/postgres/embedded.js');
  return startEmbeddedPostgres(env.AIRLOCK_DATA_DIR, (msg) => log.info(msg));
}

const SECRET_FILE = 'airlock-secret';

/**
 * AIRLOCK_SECRET, or (embedded database only: loadEnv refuses DATABASE_URL
 * without it) a secret generated once under AIRLOCK_DATA_DIR, readable by
 * this user only. It never enters the database.
 */
export async function resolveSecret(env: Env): Promise<string> {
  if (env.AIRLOCK_SECRET) return env.AIRLOCK_SECRET;
  const dir = resolve(env.AIRLOCK_DATA_DIR);
  const path = resolve(dir, SECRET_FILE);
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  try {
    // 'wx': if another process created it first, use theirs.
    await writeFile(path, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return (await readFile(path, 'utf8')).trim();
  }
}
