import { once } from 'node:events';
import { Redis } from 'ioredis';

/** A call never waits longer than this on Redis. */
const COMMAND_TIMEOUT_MS = 250;
/** How long start-up waits for Redis before going on without it (the server starts while Redis is down). */
const CONNECT_WAIT_MS = 2_000;

/**
 * Its own connection for a helper that has a local fallback (rate limits,
 * send pacing): while Redis is away a call fails at once instead of queueing
 * (no offline queue, one try, a short deadline), and the client keeps
 * reconnecting in the background. `ready` says whether it connected within
 * the start-up wait.
 */
export async function connectFailFast(url: string): Promise<{ redis: Redis; ready: boolean }> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: COMMAND_TIMEOUT_MS });
  redis.on('error', () => undefined);
  // events.once rejects on 'error': a refused connection ends the wait early.
  const connected = once(redis, 'ready').then(
    () => true,
    () => false,
  );
  const late = new Promise<false>((r) => setTimeout(() => r(false), CONNECT_WAIT_MS).unref());
  return { redis, ready: await Promise.race([connected, late]) };
}
