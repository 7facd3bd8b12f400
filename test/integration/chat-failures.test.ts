import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlackApi } from '../fakes/fake-slack-api.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { freePort } from '../support/free-port.js';
import { runCli } from '../support/run-cli.js';
import { TEST_SECRET } from '../support/secret.js';
import { startSlackAirlock, type SlackTestAirlock } from '../support/slack-airlock.js';
import { SIGNING_SECRET } from '../support/slack-requests.js';
import { startTcpProxy } from '../support/tcp-proxy.js';
import { waitFor } from '../support/wait-for.js';

/**
 * A chat platform failing never takes the gate down: the process listens and
 * decides, /readyz names what to fix, cards that cannot be delivered follow
 * the undeliverable-card rule, and a card the platform rate limits is late,
 * never lost.
 */

const POLICY = 'test/fixtures/approval-policy.yml';
const TOKEN = 'xoxb-never-printed-9f2c';

describe('a Slack that refuses or cannot be reached at start', () => {
  let db: TestDatabase;
  let server: ChildProcess | undefined;
  let output = '';
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    server?.kill('SIGKILL');
    server = undefined;
    for (const c of cleanups.splice(0)) await c();
  });
  afterAll(() => db.drop());

  /** `npm start` as an operator runs it, with Slack at `apiUrl`. */
  async function start(apiUrl: string) {
    const port = await freePort();
    output = '';
    server = spawn('node', ['--import', 'tsx', 'src/main/start.ts'], {
      env: {
        ...process.env,
        PORT: String(port),
        DATABASE_URL: db.url,
        AIRLOCK_SECRET: TEST_SECRET,
        REDIS_URL: '',
        POLICY_FILE: POLICY,
        SLACK_BOT_TOKEN: TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: apiUrl,
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let died: string | undefined;
    server.stdout!.on('data', (d) => (output += d));
    server.stderr!.on('data', (d) => (output += d));
    server.once('exit', (code, signal) => (died = `exited with ${signal ?? code}`));
    const base = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${base}/healthz`)).ok, { timeoutMs: 30_000, intervalMs: 200, what: '/healthz', giveUp: () => died && `${died}:\n${output}` });
    return { base, giveUp: () => died && `${died}:\n${output}` };
  }
  const chatState = async (base: string) => ((await (await fetch(`${base}/readyz`)).json()) as { chat?: Record<string, string> }).chat?.slack ?? '';

  it('with a token Slack refuses: listens, decides, says which variable to fix, and ends queued actions by their timeout rule', async () => {
    const slack = await FakeSlackApi.start();
    cleanups.push(() => slack.close());
    slack.failNext('auth.test', { error: 'invalid_auth', times: 1_000 });
    slack.failNext('chat.postMessage', { error: 'invalid_auth', times: 1_000 });
    const { base, giveUp } = await start(slack.url);
    await waitFor(async () => (await chatState(base)).includes('SLACK_BOT_TOKEN'), { what: 'the Slack state in /readyz', giveUp });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect((await ready.json()).chat.slack).toMatch(/^failing: Slack refused SLACK_BOT_TOKEN \(invalid_auth\)/);

    const key = JSON.parse((await runCli(['agent', 'create', '--tenant', 'acme', '--name', 'bot'], { DATABASE_URL: db.url, POLICY_FILE: POLICY })).stdout).key;
    const submit = (tool: string, args: Record<string, unknown> = {}) =>
      fetch(`${base}/v1/actions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ tool, args, requester: { id: 'U0SAM' } }),
      }).then((r) => r.json());
    expect((await submit('read')).decision).toBe('allow');
    const queued = await submit('send_email', { to: 'x@example.com', subject: 's' });
    expect(queued.status).toBe('pending');
    // send_email falls back on timeout: an undeliverable card ends it that way at once.
    const ended = await waitFor(
      async () => {
        const a = await (await fetch(`${base}/v1/actions/${queued.id}`, { headers: { authorization: `Bearer ${key}` } })).json();
        return a.status === 'expired' ? a : undefined;
      },
      { timeoutMs: 20_000, what: 'the undeliverable approval to end', giveUp },
    );
    expect(ended).toMatchObject({ decision: 'fallback', mode: 'draft_write' });
    expect(ended.outcome_detail).toContain('invalid_auth');
    expect(output).toContain('SLACK_BOT_TOKEN');
    expect(output).not.toContain(TOKEN);
  });

  it('with no route to Slack: listens, reports it, and connects once Slack answers', async () => {
    const slack = await FakeSlackApi.start();
    const proxy = await startTcpProxy(Number(new URL(slack.url).port));
    cleanups.push(async () => {
      await proxy.close();
      await slack.close();
    });
    proxy.cut();
    const { base, giveUp } = await start(`http://127.0.0.1:${proxy.port}/api/`);
    await waitFor(async () => (await chatState(base)).startsWith('failing: cannot reach Slack at SLACK_API_URL'), { what: 'the Slack state in /readyz', giveUp });
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    proxy.restore();
    await waitFor(async () => (await chatState(base)) === 'ok', { timeoutMs: 20_000, what: 'Slack connected', giveUp });
  });
});

describe('Slack rate limits', () => {
  let t: SlackTestAirlock;
  beforeAll(async () => {
    t = await startSlackAirlock();
  });
  afterAll(() => t.close());

  it('a card Slack rate limits more times than a job has attempts still ends with exactly one card', { timeout: 40_000 }, async () => {
    // A card job has 8 attempts; waiting out Retry-After must not spend them.
    t.slack.failNext('chat.postMessage', { retryAfter: 1, times: 10 });
    const a = await t.submit('send_email', { args: { to: 'x@example.com', subject: 's' } });
    await t.slack.waitForCall('chat.postMessage', (c) => c.status === 200 && JSON.stringify(c.body.metadata ?? '').includes(a.id), 30_000);
    const attempts = t.slack.calls('chat.postMessage').filter((c) => JSON.stringify(c.body.metadata ?? '').includes(a.id));
    expect(attempts.map((c) => c.status)).toEqual([...Array(10).fill(429), 200]);
    await waitFor(async () => (await t.core.pool.query("SELECT state FROM action_cards WHERE action_id = $1 AND platform = 'slack'", [a.id])).rows[0]?.state === 'posted', {
      what: 'the card recorded as posted',
    });
    expect((await t.core.pool.query('SELECT count(*)::int AS n FROM action_cards WHERE action_id = $1', [a.id])).rows[0].n).toBe(1);
  });
});
