import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlackApi } from '../fakes/fake-slack-api.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { freePort } from '../support/free-port.js';
import { sampleValue } from '../support/prometheus-text.js';
import { TEST_SECRET } from '../support/secret.js';
import { startSlackAirlock, type SlackTestAirlock } from '../support/slack-airlock.js';
import { SIGNING_SECRET } from '../support/slack-requests.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The worker posts cards and delivers callbacks; its counters live in its own
 * process. Run alone (AIRLOCK_ROLE=worker) it serves /healthz, /readyz and
 * /metrics on PORT, and nothing of the agent API.
 */
let db: TestDatabase;
let slack: FakeSlackApi;
let api: SlackTestAirlock;
let worker: ChildProcess;
let base: string;
let output = '';
let died: string | undefined;
const giveUp = () => died && `the worker ${died}:\n${output}`;

beforeAll(async () => {
  db = await createTestDatabase();
  slack = await FakeSlackApi.start();
  // The API in this process enqueues; only the worker process runs the queues (both on the PostgreSQL backend).
  api = await startSlackAirlock({ db, slack, processors: false });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  worker = spawn('node', ['--import', 'tsx', 'src/main/start.ts'], {
    env: {
      ...process.env,
      AIRLOCK_ROLE: 'worker',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: db.url,
      REDIS_URL: '',
      AIRLOCK_SECRET: TEST_SECRET,
      POLICY_FILE: 'test/fixtures/approval-policy.yml',
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.url,
      AIRLOCK_CHAT_PACING: 'off',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  worker.stdout!.on('data', (d) => (output += d));
  worker.stderr!.on('data', (d) => (output += d));
  worker.once('exit', (code, signal) => (died = `exited with ${signal ?? code}`));
  await waitFor(async () => (await fetch(`${base}/healthz`)).ok, { timeoutMs: 40_000, intervalMs: 200, what: "the worker's /healthz", giveUp });
}, 60_000);
afterAll(async () => {
  if (worker && !died) {
    const exited = new Promise((r) => worker.once('exit', r));
    worker.kill('SIGTERM');
    await exited;
  }
  await api?.close();
  await slack?.close();
  await db?.drop();
});

describe('a worker running alone', () => {
  it('serves the card posts it made on /metrics, readiness on /readyz, and no agent API', async () => {
    const a = await api.submit('send_email', { args: { to: 'x@example.com', subject: 's' } });
    await slack.waitForCall('chat.postMessage', (c) => c.status === 200 && JSON.stringify(c.body.metadata ?? '').includes(a.id), 20_000);
    await waitFor(async () => sampleValue(await (await fetch(`${base}/metrics`)).text(), 'airlock_card_posts_total', { platform: 'slack', outcome: 'posted' }) === 1, {
      what: 'the card post counted by the worker',
      giveUp,
    });
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(sampleValue(text, 'airlock_open_approvals', { tenant: 'acme', group: 'leads' })).toBe(1);
    // Intake happens in the API process: the worker has decided nothing.
    expect(sampleValue(text, 'airlock_decisions_total', { tenant: 'acme', tool: 'send_email', decision: 'queue_for_approval' })).toBeUndefined();

    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { postgres: 'ok', queue: 'ok' }, policy: { file: 'ok' } });
    expect((await fetch(`${base}/v1/actions/${a.id}`)).status).toBe(404);
  });
});
