import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { FakeSlackApi } from '../fakes/fake-slack-api.js';
import { createTestDatabase } from '../support/database.js';
import { SIGNING_SECRET, approveClick, postInteraction } from '../support/slack-requests.js';
import { startSlackAirlock, type SlackTestAirlock } from '../support/slack-airlock.js';
import { waitFor } from '../support/wait-for.js';
import { TEST_SECRET } from '../support/secret.js';

/** A Redis database of its own, so flushing it touches nothing but this file's queues. */
const redisDbUrl = () => {
  const u = new URL(inject('redisUrl'));
  u.pathname = '/13';
  return u.toString();
};

const BACKENDS = ['redis', 'postgres'] as const;

const postsFor = (slack: FakeSlackApi, id: string) =>
  slack.calls('chat.postMessage').filter((c) => c.status === 200 && JSON.stringify(c.body.metadata ?? '').includes(id));

/** Loses every queued job: FLUSHDB on Redis, the job rows on the PostgreSQL backend. */
async function loseAllJobs(backend: (typeof BACKENDS)[number], databaseUrl: string) {
  if (backend === 'redis') {
    const r = new Redis(redisDbUrl());
    await r.flushdb();
    r.disconnect();
  } else {
    const c = new pg.Client({ connectionString: databaseUrl });
    await c.connect();
    await c.query('DELETE FROM airlock_bullmq.job');
    await c.end();
  }
}

describe.each(BACKENDS)('queue recovery on the %s backend', (backend) => {
  // Per test: a worker left running on the shared Redis database would take the next test's jobs.
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  });

  /** A fresh database, fake Slack and an API-only Airlock (no queue workers) on this backend. */
  async function apiOnly() {
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    const slack = await FakeSlackApi.start();
    cleanups.push(() => slack.close());
    // The callback receivers of these tests listen on this machine: allowed as a deployment would allow an internal receiver.
    const common = { db, slack, env: { AIRLOCK_CALLBACK_ALLOW: '127.0.0.1' }, ...(backend === 'redis' ? { redisUrl: redisDbUrl() } : {}) };
    if (backend === 'redis') await loseAllJobs('redis', db.url);
    const api: SlackTestAirlock = await startSlackAirlock({ ...common, processors: false });
    cleanups.push(() => api.close());
    return { db, slack, common, api };
  }

  it('loses no action when every queued job is lost: cards posted once, expiry on time', { timeout: 60_000 }, async () => {
    // The API alone: actions are recorded and their jobs enqueued, but nothing processes them.
    const { db, slack, common, api } = await apiOnly();
    const actions = await Promise.all(Array.from({ length: 5 }, () => api.submit('short_deny')));
    await loseAllJobs(backend, db.url);

    // A worker comes up after the loss: only Postgres remembers the actions.
    const worker = await startSlackAirlock({ ...common, processors: true, auth: api.auth });
    cleanups.push(() => worker.close());
    for (const a of actions) {
      await waitFor(() => postsFor(slack, a.id).length === 1, { timeoutMs: 10_000, what: `card of ${a.id}` });
    }
    for (const a of actions) {
      const expired = await waitFor(async () => {
        const x = await api.get(a.id);
        return x.status === 'expired' ? x : undefined;
      }, { timeoutMs: 10_000, what: 'expiry' });
      const { rows } = await worker.core.pool.query('SELECT decided_at, expires_at FROM actions WHERE id = $1', [a.id]);
      // The reconciler runs every second: late by at most a tick and a bit.
      expect(rows[0].decided_at.getTime() - rows[0].expires_at.getTime()).toBeLessThan(2_500);
      expect(expired.decision).toBe('deny');
      expect(postsFor(slack, a.id)).toHaveLength(1);
    }
  });

  it('delivers the callback of a decision whose callback job was lost, once', { timeout: 60_000 }, async () => {
    const received: string[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push(body);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => receiver.close(() => r())));
    const { db, common, api } = await apiOnly();
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const a = await api.submit('send_email', { args: { to: 'x@example.com', subject: 's' }, callback_url: url });
    // Decided in the API process: the callback job is enqueued, but nothing runs it…
    expect((await postInteraction(api.app, approveClick({ user: 'U0LEAD1', actionId: a.id }))).statusCode).toBe(200);
    await waitFor(async () => (await api.get(a.id)).status === 'approved', { what: 'the decision' });
    // …and is lost.
    await loseAllJobs(backend, db.url);

    const worker = await startSlackAirlock({ ...common, processors: true, auth: api.auth, callbackGraceMs: 1_000 });
    cleanups.push(() => worker.close());
    await waitFor(() => received.some((b) => b.includes(a.id)), { timeoutMs: 20_000, what: 'the callback' });
    await waitFor(
      async () => (await worker.core.pool.query('SELECT callback_settled_at FROM actions WHERE id = $1', [a.id])).rows[0].callback_settled_at !== null,
      { what: 'the callback settled' },
    );
    // Settled: the next reconciler ticks (every second) leave it alone.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(received.filter((b) => b.includes(a.id))).toHaveLength(1);
  });

  it('a worker killed in the middle of posting a card is replaced without a second card', { timeout: 90_000 }, async () => {
    const { db, slack, api } = await apiOnly();

    const env = {
      ...process.env,
      AIRLOCK_ROLE: 'worker',
      // A worker serves /metrics on PORT: any free one, so it never collides with another server on this machine.
      PORT: '0',
      DATABASE_URL: db.url,
      AIRLOCK_SECRET: TEST_SECRET,
      POLICY_FILE: 'test/fixtures/approval-policy.yml',
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.url,
      LOG_LEVEL: 'silent',
      ...(backend === 'redis' ? { REDIS_URL: redisDbUrl() } : { REDIS_URL: '' }),
    };
    const spawnWorker = () => spawn('node', ['--import', 'tsx', 'src/main/start.ts'], { env, stdio: 'ignore' });
    let worker: ChildProcess = spawnWorker();
    cleanups.push(async () => worker.kill('SIGKILL'));

    // Slack receives (and posts) the card, but the worker dies before hearing back.
    slack.hangNext('chat.postMessage');
    const a = await api.submit('slow_deny');
    await waitFor(() => slack.calls('chat.postMessage').some((c) => JSON.stringify(c.body.metadata ?? '').includes(a.id)), { timeoutMs: 20_000, what: 'the first post' });
    worker.kill('SIGKILL');
    await new Promise((r) => worker.once('exit', r));

    worker = spawnWorker();
    // The replacement finds the posted card instead of posting another.
    await waitFor(async () => (await api.core.pool.query("SELECT 1 FROM action_cards WHERE action_id = $1 AND state = 'posted'", [a.id])).rowCount === 1, {
      timeoutMs: 40_000,
      what: 'the card recorded as posted',
    });
    expect(slack.calls('chat.postMessage').filter((c) => JSON.stringify(c.body.metadata ?? '').includes(a.id))).toHaveLength(1);
    expect(slack.calls('conversations.history').length).toBeGreaterThan(0);
    const expired = await waitFor(async () => {
      const x = await api.get(a.id);
      return x.status === 'expired' ? x : undefined;
    }, { timeoutMs: 40_000, what: 'expiry' });
    expect(expired.decision).toBe('deny');
    await slack.waitForCall('chat.update', (c) => JSON.stringify(c.body.blocks).includes('Expired'), 10_000);
  });
});
