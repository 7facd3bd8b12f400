import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Action } from '../../src/domain/action.js';
import { startAirlock, type TestAirlock } from '../support/airlock.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { waitFor } from '../support/wait-for.js';

/**
 * One agent key cannot take the gate for itself: its request rate is limited
 * across every process (429 with Retry-After), its concurrent ?wait requests
 * are capped, and however many requests wait on one action, its decision
 * costs one store read per process.
 */

const email = { tool: 'send_customer_email', args: { to: 'jane@example.com', subject: 's' }, requester: { id: 'U0SAM' } };
const get = (a: TestAirlock, auth: string, id: string, query = '') =>
  a.app.inject({ method: 'GET', url: `/v1/actions/${id}${query}`, headers: { authorization: auth } });
const unknownId = '00000000-0000-4000-8000-000000000000';

describe.each([
  ['Redis', 'redis' as const],
  ['Postgres (no REDIS_URL)', 'postgres' as const],
])('per-agent rate limit shared by two processes, %s', (_name, queue) => {
  let db: TestDatabase;
  let a: TestAirlock;
  let b: TestAirlock;
  let auth: string;
  let other: string;
  const env = { AIRLOCK_RATE_LIMIT_PER_AGENT: '10', AIRLOCK_RATE_LIMIT_WINDOW: '1m' };

  beforeAll(async () => {
    db = await createTestDatabase();
    a = await startAirlock({ db, queue, env });
    b = await startAirlock({ db, queue, env });
    auth = await a.agentAuth('acme', 'support-bot');
    other = await a.agentAuth('acme', 'ops-bot');
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.drop();
  });

  const merged = async () => Number((await a.core.pool.query("SELECT hits FROM rate_limit_counters WHERE key = 'acme/support-bot'")).rows[0]?.hits ?? 0);

  it('answers 429 with Retry-After once the agent’s requests on both processes reach the limit, and spares other agents', async () => {
    for (let i = 0; i < 6; i++) expect((await get(a, auth, unknownId)).statusCode).toBe(404);
    // Without Redis each process merges its counts every 200 ms; the limit is shared as of the last merge.
    if (queue === 'postgres') await waitFor(async () => (await merged()) === 6, { what: 'process A’s counts merged' });
    expect((await get(b, auth, unknownId)).statusCode).toBe(404);
    if (queue === 'postgres') await waitFor(async () => (await merged()) === 7, { what: 'process B’s count merged' });
    for (let i = 0; i < 3; i++) expect((await get(b, auth, unknownId)).statusCode).toBe(404);

    const limited = await get(b, auth, unknownId);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('rate_limited');
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const submit = await a.app.inject({ method: 'POST', url: '/v1/actions', headers: { authorization: auth }, payload: email });
    if (queue === 'redis') expect(submit.statusCode).toBe(429);
    expect((await get(a, other, unknownId)).statusCode).toBe(404);
    const metrics = await b.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/airlock_rate_limited_total\{limit="rate"\} [1-9]/);
  });
});

describe('?wait', () => {
  let airlock: TestAirlock;
  let auth: string;
  let other: string;

  beforeAll(async () => {
    // No queue workers: nothing but the waiting requests reads actions while they wait.
    airlock = await startAirlock({ processors: false, env: { AIRLOCK_MAX_WAITS_PER_AGENT: '400' } });
    auth = await airlock.agentAuth('acme', 'support-bot');
    other = await airlock.agentAuth('acme', 'ops-bot');
  });
  afterAll(() => airlock.close());

  const submit = async () => (await airlock.app.inject({ method: 'POST', url: '/v1/actions', headers: { authorization: auth }, payload: email })).json() as { id: string };
  const waiting = async () => Number(/airlock_waiting_requests (\d+)/.exec((await airlock.app.inject({ method: 'GET', url: '/metrics' })).body)?.[1]);
  const decide = (id: string) => airlock.core.pool.query("UPDATE actions SET status = 'denied', decided_at = now() WHERE id = $1", [id]);

  it('reads a decided action once for 300 requests waiting on it, and answers them all', async () => {
    const { id } = await submit();
    // A counting store: every read of this action, with what it found, and how many are running.
    const reads: string[] = [];
    let running = 0;
    const store = airlock.core.actions;
    const original = store.get.bind(store);
    const spy = vi.spyOn(store, 'get').mockImplementation(async (tenant: string, actionId: string) => {
      if (actionId !== id) return original(tenant, actionId);
      running++;
      try {
        const action: Action | undefined = await original(tenant, actionId);
        reads.push(action?.status ?? 'missing');
        return action;
      } finally {
        running--;
      }
    });
    try {
      const waits = Array.from({ length: 300 }, () => get(airlock, auth, id, '?wait=30'));
      await waitFor(async () => (await waiting()) === 300, { what: '300 requests waiting' });
      // Every waiter has had its first read (they share them too), and none is running, before the decision.
      await waitFor(() => reads.length > 0 && running === 0, { what: 'the first reads' });
      expect(reads.every((s) => s === 'pending')).toBe(true);
      const pendingReads = reads.length;
      await decide(id);
      const answers = await Promise.all(waits);
      expect(answers.every((r) => r.statusCode === 200 && r.json().status === 'denied')).toBe(true);
      expect(reads.slice(pendingReads).filter((s) => s === 'pending')).toEqual([]);
      expect(reads.filter((s) => s === 'denied')).toHaveLength(1);
      expect(pendingReads).toBeLessThan(300);
      expect(await waiting()).toBe(0);
    } finally {
      spy.mockRestore();
    }
  });

  it('answers a waiter that is not the action’s agent at once with 404, whoever else waits', async () => {
    const { id } = await submit();
    const mine = get(airlock, auth, id, '?wait=30');
    await waitFor(async () => (await waiting()) === 1, { what: 'the owner waiting' });
    const theirs = await get(airlock, other, id, '?wait=30');
    expect(theirs.statusCode).toBe(404);
    await decide(id);
    expect((await mine).json().status).toBe('denied');
  });

  it('caps the waits one agent holds at once with 429 and Retry-After; other agents and plain reads go on', async () => {
    const capped = await startAirlock({ db: airlock.db, processors: false, env: { AIRLOCK_MAX_WAITS_PER_AGENT: '3' } });
    try {
      const { id } = await submit();
      const held = Array.from({ length: 3 }, () => get(capped, auth, id, '?wait=30'));
      const count = async () => Number(/airlock_waiting_requests (\d+)/.exec((await capped.app.inject({ method: 'GET', url: '/metrics' })).body)?.[1]);
      await waitFor(async () => (await count()) === 3, { what: 'three waits held' });
      const fourth = await get(capped, auth, id, '?wait=30');
      expect(fourth.statusCode).toBe(429);
      expect(fourth.json().error.code).toBe('rate_limited');
      expect(Number(fourth.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect((await get(capped, auth, id)).statusCode).toBe(200);
      expect((await get(capped, other, unknownId, '?wait=1')).statusCode).toBe(404);
      await decide(id);
      for (const r of await Promise.all(held)) expect(r.json().status).toBe('denied');
      expect((await get(capped, auth, id, '?wait=1')).statusCode).toBe(200);
    } finally {
      await capped.close();
    }
  });
});
