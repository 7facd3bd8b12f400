import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { PgSendPacer } from '../../src/infra/postgres/send-pacer.js';
import { RedisSendPacer } from '../../src/infra/redis/send-pacer.js';
import type { SendPacer } from '../../src/ports/send-pacer.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The send pacer both stores implement (Redis with REDIS_URL, Postgres
 * without): queued sends for one key are each given their own slot, keep it
 * when they ask again, and two processes share the slots. A refill of a
 * minute keeps the figures exact however slow the machine is.
 */
const log = pino({ level: 'silent' });
const MINUTE = { intervalMs: 60_000, burst: 2 };
/** Slots are handed out on the store's clock; the test reads waits back a few seconds later at most. */
const SLACK = 10_000;

describe.each([
  ['Redis', 'redis' as const],
  ['Postgres (no REDIS_URL)', 'postgres' as const],
])('send pacer, %s', (_name, kind) => {
  let db: TestDatabase | undefined;
  let pool: pg.Pool | undefined;
  // Two pacers on one store: two Airlock processes.
  let a: SendPacer;
  let b: SendPacer;
  const prefix = `airlock-test-pacer-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    if (kind === 'redis') {
      a = await RedisSendPacer.connect(inject('redisUrl'), { prefix, log });
      b = await RedisSendPacer.connect(inject('redisUrl'), { prefix, log });
    } else {
      db = await createTestDatabase();
      pool = new pg.Pool({ connectionString: db.url, max: 4 });
      a = new PgSendPacer(pool, log);
      b = new PgSendPacer(pool, log);
    }
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await pool?.end();
    await db?.drop();
  });

  it('lets a burst through, then gives each queued send its own slot, one interval apart, across processes', async () => {
    const waits = [];
    for (let i = 0; i < 6; i++) waits.push(await (i % 2 ? b : a).reserve('burst', `card-${i}`, MINUTE));
    expect(waits.slice(0, 2)).toEqual([0, 0]);
    waits.slice(2).forEach((w, k) => {
      expect(w).toBeGreaterThan((k + 1) * 60_000 - SLACK);
      expect(w).toBeLessThanOrEqual((k + 1) * 60_000);
    });
  });

  it('a send asking again before its slot keeps that slot instead of going to the back', async () => {
    await a.reserve('again', 'first', MINUTE);
    await a.reserve('again', 'second', MINUTE);
    const third = await a.reserve('again', 'third', MINUTE);
    const fourth = await b.reserve('again', 'fourth', MINUTE);
    // Asked again, from the other process: the same slot, a little closer.
    const thirdAgain = await b.reserve('again', 'third', MINUTE);
    expect(thirdAgain).toBeLessThanOrEqual(third);
    expect(thirdAgain).toBeGreaterThan(third - SLACK);
    expect(fourth - thirdAgain).toBeGreaterThan(60_000 - SLACK);
  });

  it('once its slot has come, a held send goes (and only once: the slot is used up)', async () => {
    const fast = { intervalMs: 300, burst: 1 };
    expect(await a.reserve('due', 'one', fast)).toBe(0);
    expect(await a.reserve('due', 'two', fast)).toBeGreaterThan(0);
    await waitFor(async () => (await b.reserve('due', 'two', fast)) === 0, { what: 'the held slot to come', timeoutMs: 5_000 });
    // Used: asking again is a new send, after the one just made.
    expect(await a.reserve('due', 'two', fast)).toBeGreaterThan(0);
  });

  it('a slot reserved ahead is held even when it is due now: the send asking again uses it, and takes no second slot', async () => {
    expect(await a.reserve('ahead', 'card-1', MINUTE, { ahead: true })).toBe(0);
    // Its job runs, in the other process: the held slot, used up now.
    expect(await b.reserve('ahead', 'card-1', MINUTE)).toBe(0);
    // The burst's second slot is still there for the next card.
    expect(await a.reserve('ahead', 'card-2', MINUTE, { ahead: true })).toBe(0);
    expect(await b.reserve('ahead', 'card-2', MINUTE)).toBe(0);
    // Then the bucket is empty: a third card waits an interval.
    expect(await a.reserve('ahead', 'card-3', MINUTE, { ahead: true })).toBeGreaterThan(60_000 - SLACK);
  });

  it('keys are paced on their own', async () => {
    for (let i = 0; i < 4; i++) await a.reserve('busy', `x-${i}`, MINUTE);
    expect(await b.reserve('quiet', 'y', MINUTE)).toBe(0);
  });

  it("a platform's Retry-After keeps every process off the key until it has passed", async () => {
    expect(await a.reserve('told', 'before', MINUTE)).toBe(0);
    await b.holdOff('told', 120_000, MINUTE);
    const next = await a.reserve('told', 'after', MINUTE);
    expect(next).toBeGreaterThan(120_000 - SLACK);
    expect(next).toBeLessThanOrEqual(120_000);
    // The bucket is empty once the wait is over: the send after that one waits a further interval.
    expect((await b.reserve('told', 'after-that', MINUTE)) - next).toBeGreaterThan(60_000 - SLACK);
  });
});
