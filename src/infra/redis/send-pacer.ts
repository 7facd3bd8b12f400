import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { PaceRule, ReserveOptions, SendPacer } from '../../ports/send-pacer.js';
import { connectFailFast } from './fail-fast-redis.js';

/**
 * GCRA ("next allowed time") with held slots, in one atomic round trip.
 * KEYS[1]: the key's theoretical arrival time (ms, Redis clock); KEYS[2]: a
 * sorted set of holders by the slot they hold. Both carry the same hash tag,
 * so they live on one node of a cluster.
 * ARGV: holder, interval ms, burst, how early (ms) a holder may use its slot,
 * how long (ms) an unused slot is kept after its time, and 1 to hold a slot
 * that is due now too (the holder asks again before sending).
 * Returns the wait in ms (0: send now).
 */
const RESERVE_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local holder, interval, burst = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local early, keep, ahead = tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6] == '1'
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - keep)
local held = redis.call('ZSCORE', KEYS[2], holder)
if held then
  held = tonumber(held)
  if held <= now + early then
    redis.call('ZREM', KEYS[2], holder)
    return 0
  end
  return held - now
end
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local slot = tat - (burst - 1) * interval
redis.call('SET', KEYS[1], tat + interval, 'PX', tat + interval - now + keep)
if slot <= now and not ahead then return 0 end
if slot < now then slot = now end
redis.call('ZADD', KEYS[2], slot, holder)
redis.call('PEXPIRE', KEYS[2], slot - now + keep)
return slot - now`;

/** Pushes the key's next slot past `ms` from now, with the bucket empty then. ARGV: ms, interval, burst, keep. */
const HOLD_OFF_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ms, interval, burst, keep = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local wanted = now + ms + (burst - 1) * interval
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if wanted > tat then redis.call('SET', KEYS[1], wanted, 'PX', wanted - now + keep) end
return 0`;

/** A holder may use its slot this much early: a delayed job is promoted on the worker's clock, and a few ms early hurts nobody. */
export const EARLY_MS = 20;
/** An unused held slot (its job gone, or run much later) lapses this long after its time. */
export const KEEP_MS = 60_000;
/** After a failed call, how long sends go unpaced before Redis is tried again. */
const RETRY_REDIS_MS = 1_000;

type Reserve = (key: string, holds: string, holder: string, interval: number, burst: number, early: number, keep: number, ahead: 0 | 1) => Promise<number>;
type HoldOff = (key: string, ms: number, interval: number, burst: number, keep: number) => Promise<number>;

/**
 * The send pacer with REDIS_URL: one Lua script per send, so every process
 * and worker shares each key's slots exactly. While Redis does not answer,
 * sends go unpaced (the platform's 429 still delays them) and Redis is tried
 * again a second later.
 */
export class RedisSendPacer implements SendPacer {
  private readonly reserveCommand: Reserve;
  private readonly holdOffCommand: HoldOff;
  private redisAwayUntil = 0;
  private warned = false;

  private constructor(
    private readonly redis: Redis,
    private readonly opts: { prefix: string; log: Logger },
  ) {
    redis.defineCommand('airlockPaceReserve', { numberOfKeys: 2, lua: RESERVE_LUA });
    redis.defineCommand('airlockPaceHoldOff', { numberOfKeys: 1, lua: HOLD_OFF_LUA });
    const commands = redis as unknown as { airlockPaceReserve: Reserve; airlockPaceHoldOff: HoldOff };
    this.reserveCommand = commands.airlockPaceReserve.bind(redis);
    this.holdOffCommand = commands.airlockPaceHoldOff.bind(redis);
  }

  /** Its own connection, failing fast while Redis is away (no offline queue, one try, a short deadline). */
  static async connect(url: string, opts: { prefix: string; log: Logger }): Promise<RedisSendPacer> {
    const { redis, ready } = await connectFailFast(url);
    const pacer = new RedisSendPacer(redis, opts);
    if (!ready) pacer.redisAwayUntil = Date.now() + RETRY_REDIS_MS;
    return pacer;
  }

  private keys(key: string) {
    // The hash tag keeps a key's two entries on one cluster node.
    return { tat: `${this.opts.prefix}:pace:{${key}}`, holds: `${this.opts.prefix}:pace-holds:{${key}}` };
  }

  async reserve(key: string, holder: string, rule: PaceRule, opts: ReserveOptions = {}): Promise<number> {
    const k = this.keys(key);
    return this.call(() => this.reserveCommand(k.tat, k.holds, holder, rule.intervalMs, rule.burst, EARLY_MS, KEEP_MS, opts.ahead ? 1 : 0));
  }

  async holdOff(key: string, ms: number, rule: PaceRule): Promise<void> {
    await this.call(() => this.holdOffCommand(this.keys(key).tat, Math.ceil(ms), rule.intervalMs, rule.burst, KEEP_MS));
  }

  private async call(command: () => Promise<number>): Promise<number> {
    if (Date.now() < this.redisAwayUntil) return 0;
    try {
      const wait = Number(await command());
      if (this.warned) this.opts.log.info('chat sends are paced through Redis again');
      this.warned = false;
      return wait;
    } catch (err) {
      if (!this.warned) this.opts.log.warn({ err: (err as Error).message }, 'chat send pacing cannot reach Redis; sending unpaced meanwhile (the platform still answers 429 when over its limit)');
      this.warned = true;
      this.redisAwayUntil = Date.now() + RETRY_REDIS_MS;
      return 0;
    }
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
