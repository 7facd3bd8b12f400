import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { RateLimiter, RateVerdict } from '../../ports/rate-limiter.js';
import { WindowCounters } from '../window-counters.js';
import { connectFailFast } from './fail-fast-redis.js';

// One round trip: count the request, start the window on its first request,
// answer the count and the window's remaining milliseconds.
const HIT_LUA = `
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}`;

/** After a failed call, how long requests are counted in this process only before Redis is tried again. */
const RETRY_REDIS_MS = 1_000;

type HitCommand = (key: string, windowMs: number) => Promise<[number, number]>;

/**
 * The rate limiter with REDIS_URL: every request is counted in Redis, one
 * atomic round trip (a Lua script), so the limit holds exactly across
 * processes. A window starts at its key's first request. While Redis does
 * not answer, requests are counted in this process (WindowCounters) and
 * Redis is tried again a second later: an outage neither blocks intake nor
 * lifts the limit of each process.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly hitCommand: HitCommand;
  private readonly fallback: WindowCounters;
  private redisAwayUntil = 0;
  private warned = false;

  private constructor(
    private readonly redis: Redis,
    private readonly opts: RedisRateLimiterOptions,
  ) {
    redis.defineCommand('airlockRateHit', { numberOfKeys: 1, lua: HIT_LUA });
    this.hitCommand = (redis as unknown as { airlockRateHit: HitCommand }).airlockRateHit.bind(redis);
    this.fallback = new WindowCounters(opts.limit, opts.windowMs);
  }

  /** Its own connection, failing fast while Redis is away (no offline queue, one try, a short deadline). */
  static async connect(url: string, opts: RedisRateLimiterOptions): Promise<RedisRateLimiter> {
    const { redis, ready } = await connectFailFast(url);
    const limiter = new RedisRateLimiter(redis, opts);
    if (!ready) limiter.redisAwayUntil = Date.now() + RETRY_REDIS_MS;
    return limiter;
  }

  async hit(key: string): Promise<RateVerdict> {
    if (Date.now() < this.redisAwayUntil) return this.fallback.hit(key);
    try {
      const [count, ttlMs] = await this.hitCommand(`${this.opts.prefix}:rate:${key}`, this.opts.windowMs);
      if (this.warned) this.opts.log.info('rate limits are counted in Redis again');
      this.redisAwayUntil = 0;
      this.warned = false;
      return count > this.opts.limit ? { limited: true, retryAfterSeconds: ttlMs / 1000 } : { limited: false };
    } catch (err) {
      if (!this.warned) this.opts.log.warn({ err: (err as Error).message }, 'rate limits cannot reach Redis; each process limits on its own meanwhile');
      this.warned = true;
      this.redisAwayUntil = Date.now() + RETRY_REDIS_MS;
      return this.fallback.hit(key);
    }
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

export interface RedisRateLimiterOptions {
  limit: number;
  windowMs: number;
  /** Namespaces the keys (`<prefix>:rate:<key>`), as the queues' prefix does. */
  prefix: string;
  log: Logger;
}
