import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlackApi } from '../fakes/fake-slack-api.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startSlackAirlock, type SlackTestAirlock } from '../support/slack-airlock.js';
import { startSlackProcess } from '../support/slack-process.js';
import { startTcpProxy } from '../support/tcp-proxy.js';
import { waitFor } from '../support/wait-for.js';

/**
 * A chat platform failing never takes the gate down: the process listens and
 * decides, /readyz names what to fix, cards that cannot be delivered follow
 * the undeliverable-card rule, and a card the platform rate limits is late,
 * never lost.
 */

// Credentials Slack refuses at start are shared with Teams (approval-conformance.ts); no route to Slack is Slack's own.
describe('a Slack that cannot be reached at start', () => {
  let db: TestDatabase;
  const cleanups: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    for (const c of cleanups.splice(0)) await c();
    await db.drop();
  });

  it('with no route to Slack: listens, reports it, and connects once Slack answers', async () => {
    const slack = await FakeSlackApi.start();
    const proxy = await startTcpProxy(Number(new URL(slack.url).port));
    cleanups.push(async () => {
      await proxy.close();
      await slack.close();
    });
    proxy.cut();
    const server = await startSlackProcess({ databaseUrl: db.url, apiUrl: `http://127.0.0.1:${proxy.port}/api/`, token: 'xoxb-test-token', policyFile: 'test/fixtures/approval-policy.yml' });
    cleanups.unshift(() => server.close());
    const { giveUp } = server;
    await waitFor(async () => (await server.chatState()).startsWith('failing: cannot reach Slack at SLACK_API_URL'), { what: 'the Slack state in /readyz', giveUp });
    expect((await fetch(`${server.base}/readyz`)).status).toBe(200);
    proxy.restore();
    await waitFor(async () => (await server.chatState()) === 'ok', { timeoutMs: 20_000, what: 'Slack connected', giveUp });
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
