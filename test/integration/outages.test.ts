import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { FakeSlackApi } from '../fakes/fake-slack-api.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { freePort } from '../support/free-port.js';
import { TEST_SECRET } from '../support/secret.js';
import { slashCommand } from '../support/slack-command.js';
import { approveClick, postInteraction, SIGNING_SECRET } from '../support/slack-requests.js';
import { startSlackAirlock, type SlackTestAirlock } from '../support/slack-airlock.js';
import { startTcpProxy } from '../support/tcp-proxy.js';
import { waitFor } from '../support/wait-for.js';

/**
 * A chat, queue or database outage never holds the gate open nor takes it
 * down: Postgres is the source of truth, every queue write has a deadline,
 * and whatever a write missed is repaired by the reconciler.
 */

/** A Redis database of its own (behind a proxy the test can cut), so flushing or cutting it touches no other test. */
const REDIS_DB = 12;
const redisBehind = (port: number) => {
  const u = new URL(inject('redisUrl'));
  u.port = String(port);
  u.pathname = `/${REDIS_DB}`;
  return u.toString();
};

let redisProxy: Awaited<ReturnType<typeof startTcpProxy>>;
let t: SlackTestAirlock;

beforeAll(async () => {
  const direct = new URL(inject('redisUrl'));
  const own = new URL(direct);
  own.pathname = `/${REDIS_DB}`;
  const flush = new Redis(own.toString());
  await flush.flushdb();
  flush.disconnect();
  redisProxy = await startTcpProxy(Number(direct.port || 6379), direct.hostname);
  t = await startSlackAirlock({ redisUrl: redisBehind(redisProxy.port) });
});
afterAll(async () => {
  redisProxy.restore();
  await t.close();
  await redisProxy.close();
});

const email = { args: { to: 'x@example.com', subject: 's' } };
const cardFor = (id: string, timeoutMs?: number) =>
  t.slack.waitForCall('chat.postMessage', (c) => c.status === 200 && JSON.stringify(c.body.metadata ?? '').includes(id), timeoutMs);

describe('with Redis down', () => {
  it('an admin command answers and ends every approval it covers without waiting on the queue', async () => {
    const actions = await Promise.all(Array.from({ length: 5 }, () => t.submit('send_email', email)));
    await Promise.all(actions.map((a) => cardFor(a.id)));
    redisProxy.cut();
    try {
      expect(await slashCommand(t, 'kill-agent bot runaway')).toContain('5 pending approval(s) ended');
      for (const a of actions) expect((await t.get(a.id)).status).toBe('denied');
      await postInteraction(t.app, approveClick({ user: 'U0LEAD1', actionId: actions[0]!.id, version: 1 }));
      await t.slack.waitForCall('chat.postEphemeral', (c) => c.body.user === 'U0LEAD1' && String(c.body.text).includes('Too late'));
    } finally {
      redisProxy.restore();
      await slashCommand(t, 'revive-agent bot');
    }
  });

  it('a queued request is answered with its durable decision, and its card is posted once Redis is back', async () => {
    redisProxy.cut();
    let queued;
    try {
      queued = await t.submit('send_email', email);
      expect(queued).toMatchObject({ status: 'pending', decision: 'queue_for_approval' });
    } finally {
      redisProxy.restore();
    }
    await cardFor(queued.id, 20_000);
  });
});

describe('a server started while Redis is down', () => {
  let db: TestDatabase;
  let server: ChildProcess | undefined;
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  beforeAll(async () => {
    db = await createTestDatabase();
    const direct = new URL(inject('redisUrl'));
    proxy = await startTcpProxy(Number(direct.port || 6379), direct.hostname);
  });
  afterAll(async () => {
    server?.kill('SIGKILL');
    proxy.restore();
    await proxy.close();
    await db.drop();
  });

  it('listens, reports not ready until Redis answers, then ready', { timeout: 60_000 }, async () => {
    proxy.cut();
    const port = await freePort();
    const env = { ...process.env, PORT: String(port), DATABASE_URL: db.url, AIRLOCK_SECRET: TEST_SECRET, REDIS_URL: redisBehind(proxy.port), POLICY_FILE: 'examples/policy.yml', LOG_LEVEL: 'silent' };
    server = spawn('node', ['--import', 'tsx', 'src/main/start.ts'], { env, stdio: 'ignore' });
    let died: string | undefined;
    server.once('exit', (code, signal) => (died = `exited with ${signal ?? code}`));
    const base = `http://127.0.0.1:${port}`;
    const giveUp = () => died;
    await waitFor(async () => (await fetch(`${base}/healthz`)).ok, { timeoutMs: 30_000, intervalMs: 200, what: '/healthz', giveUp });
    const notReady = await fetch(`${base}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({ checks: { postgres: 'ok', redis: 'unreachable' } });
    proxy.restore();
    await waitFor(async () => (await fetch(`${base}/readyz`)).ok, { timeoutMs: 20_000, intervalMs: 200, what: 'ready once Redis answers', giveUp });
  });
});

describe('with Postgres down', () => {
  let db: TestDatabase;
  let pgProxy: Awaited<ReturnType<typeof startTcpProxy>>;
  let p: SlackTestAirlock;
  let slack: FakeSlackApi;
  beforeAll(async () => {
    db = await createTestDatabase();
    pgProxy = await startTcpProxy(Number(new URL(db.url).port || 5432));
    const viaProxy = new URL(db.url);
    viaProxy.port = String(pgProxy.port);
    slack = await FakeSlackApi.start({ emails: { U0LEAD1: 'lead1@acme.test' } });
    p = await startSlackAirlock({ db: { ...db, url: viaProxy.toString() }, queue: 'redis', slack, env: { SLACK_SIGNING_SECRET: SIGNING_SECRET } });
  });
  afterAll(async () => {
    pgProxy.restore();
    await p.close();
    await slack.close();
    await pgProxy.close();
    await db.drop();
  });

  it('tells a reviewer whose click cannot be recorded to try again, and decides nothing', async () => {
    const a = await p.submit('send_email', email);
    await slack.waitForCall('chat.postMessage', (c) => JSON.stringify(c.body.metadata ?? '').includes(a.id));
    pgProxy.cut();
    try {
      await postInteraction(p.app, approveClick({ user: 'U0LEAD1', actionId: a.id, version: 1 }));
      const told = await slack.waitForCall('chat.postEphemeral', (c) => c.body.user === 'U0LEAD1', 15_000);
      expect(String(told.body.text)).toContain('try again');
    } finally {
      pgProxy.restore();
    }
    await waitFor(async () => (await p.get(a.id)).status === 'pending', { what: 'still pending after the outage' });
    expect((await p.get(a.id)).reviews).toBeUndefined();
  });
});
