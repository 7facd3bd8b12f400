import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAirlock, type StartOptions, type TestAirlock } from '../support/airlock.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { watchForStarvation } from '../support/starvation-watchdog.js';
import { startTcpProxy } from '../support/tcp-proxy.js';
import { waitFor } from '../support/wait-for.js';

/**
 * Every setup: API and queue workers in one process (role all), and the API
 * alone. On BullMQ's PostgreSQL backend an outage used to starve the event
 * loop of a process running workers (src/infra/queue/backend.ts, `recoverable`);
 * should that come back, the watchdog ends this file's process (a starved
 * event loop runs no test timeout).
 */
const stopWatching = watchForStarvation();
afterAll(() => stopWatching());
const SETUPS: [string, StartOptions][] = [
  ['API and workers, Redis queues', { queue: 'redis' }],
  ['API and workers, Postgres queues', {}],
  ['API role, Postgres queues', { processors: false }],
];

describe.each(SETUPS)('when Postgres is unreachable (%s)', (_name, setup) => {
  let db: TestDatabase;
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  let airlock: TestAirlock;
  let auth: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    proxy = await startTcpProxy(Number(new URL(db.url).port || 5432));
    const viaProxy = new URL(db.url);
    viaProxy.port = String(proxy.port);
    airlock = await startAirlock({ ...setup, db: { ...db, url: viaProxy.toString() } });
    auth = await airlock.agentAuth('acme', 'support-bot');
  });
  afterAll(async () => {
    proxy.restore();
    await airlock.close();
    await proxy.close();
    await db.drop();
  });

  const ARGS: Record<string, Record<string, unknown>> = { lookup_order: { order_id: 'o1' }, send_customer_email: { to: 'jane@example.com', subject: 'Hi' } };
  const submit = (tool: string) =>
    airlock.app.inject({ method: 'POST', url: '/v1/actions', headers: { authorization: auth }, payload: { tool, args: ARGS[tool], requester: { id: 'U1' } } });

  it('answers 503 instead of allowing, reports not ready, and recovers', async () => {
    expect((await submit('lookup_order')).json().decision).toBe('allow');
    proxy.cut();
    for (const tool of ['lookup_order', 'send_customer_email']) {
      const res = await submit(tool);
      expect(res.statusCode).toBe(503);
      expect(res.json().error.code).toBe('unavailable');
      expect(res.body).not.toContain('"allow"');
    }
    const ready = await airlock.app.inject('/readyz');
    expect(ready.statusCode).toBe(503);
    expect(ready.json().checks.postgres).toBe('unreachable');
    proxy.restore();
    expect((await submit('lookup_order')).json().decision).toBe('allow');
    // Queues and workers whose start-up fell into the outage start again.
    await waitFor(async () => (await airlock.app.inject('/readyz')).statusCode === 200, { what: 'ready again' });
  });

  it('keeps answering while Postgres stays unreachable, and recovers', async () => {
    proxy.cut();
    // Several seconds of outage: queue workers keep retrying in the background.
    const until = Date.now() + 3_000;
    while (Date.now() < until) {
      const started = Date.now();
      expect((await submit('lookup_order')).statusCode).toBe(503);
      expect(Date.now() - started).toBeLessThan(2_000);
      await new Promise((r) => setTimeout(r, 200));
    }
    proxy.restore();
    await waitFor(async () => (await submit('lookup_order')).json().decision === 'allow', { what: 'intake back' });
    await waitFor(async () => (await airlock.app.inject('/readyz')).statusCode === 200, { what: 'ready again' });
  });
});

describe('queue workers on the PostgreSQL backend after an outage', () => {
  it('apply timeouts again once Postgres is back', { timeout: 60_000 }, async () => {
    const db = await createTestDatabase();
    const proxy = await startTcpProxy(Number(new URL(db.url).port || 5432));
    const viaProxy = new URL(db.url);
    viaProxy.port = String(proxy.port);
    const airlock = await startAirlock({ policyFile: 'test/fixtures/approval-policy.yml', db: { ...db, url: viaProxy.toString() } });
    try {
      const auth = await airlock.agentAuth('acme', 'bot');
      proxy.cut();
      // Long enough for every worker to fail and retry a few times.
      await new Promise((r) => setTimeout(r, 3_000));
      proxy.restore();
      await waitFor(async () => (await airlock.app.inject('/readyz')).statusCode === 200, { what: 'ready again' });
      const res = await airlock.app.inject({
        method: 'POST',
        url: '/v1/actions',
        headers: { authorization: auth },
        payload: { tool: 'quick_deny', args: {}, requester: { id: 'U0SAM' } },
      });
      expect(res.statusCode).toBe(201);
      const id = res.json().id as string;
      // quick_deny: 2 s timeout, on_timeout deny.
      const ended = await waitFor(
        async () => {
          const a = (await airlock.app.inject({ url: `/v1/actions/${id}`, headers: { authorization: auth } })).json();
          return a.status === 'expired' ? a : undefined;
        },
        { what: 'the action expired', timeoutMs: 10_000 },
      );
      expect(ended.decision).toBe('deny');
    } finally {
      proxy.restore();
      await airlock.close();
      await proxy.close();
      await db.drop();
    }
  });
});
