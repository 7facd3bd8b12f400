import { LogLevel, WebClient, WebClientEvent } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeSlackApi, SLACK_LIMITS } from './fake-slack-api.js';

describe('FakeSlackApi with a real WebClient', () => {
  let slack: FakeSlackApi;
  let client: WebClient;

  beforeAll(async () => {
    slack = await FakeSlackApi.start({ emails: { U0ALICE: 'alice@acme.test' }, usergroups: { S0FIN: ['U0ALICE', 'U0BOB'] } });
    client = new WebClient('xoxb-test-token', {
      slackApiUrl: slack.url,
      logLevel: LogLevel.ERROR,
      rejectRateLimitedCalls: false,
      retryConfig: { retries: 2, factor: 1, minTimeout: 10, maxTimeout: 50 },
    });
  });
  beforeEach(() => slack.reset());
  afterAll(() => slack.close());

  it('records a posted card with its blocks decoded and the token it was sent with', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: 'hello' } }];
    const first = await client.chat.postMessage({ channel: 'C0FIN', text: 'hello', blocks });
    const second = await client.chat.postMessage({ channel: 'C0FIN', text: 'again' });
    expect(first).toMatchObject({ ok: true, channel: 'C0FIN' });
    expect(Number(second.ts)).toBeGreaterThan(Number(first.ts));
    const call = await slack.waitForCall('chat.postMessage', (c) => c.body.text === 'hello');
    expect(call).toMatchObject({ token: 'xoxb-test-token', status: 200, body: { channel: 'C0FIN', blocks } });
    expect(slack.calls('chat.postMessage')).toHaveLength(2);
  });

  it('answers updates, ephemeral messages, modals and identity look-ups', async () => {
    await expect(client.chat.update({ channel: 'C0FIN', ts: '1.000100', text: 'done' })).resolves.toMatchObject({ ts: '1.000100' });
    await expect(client.chat.postEphemeral({ channel: 'C0FIN', user: 'U0BOB', text: 'no' })).resolves.toMatchObject({ ok: true });
    const opened = await client.views.open({ trigger_id: 't1', view: { type: 'modal', title: { type: 'plain_text', text: 'Deny' }, blocks: [] } });
    expect(opened.view?.id).toBeTruthy();
    expect(slack.calls('views.open')[0]?.body.view).toMatchObject({ type: 'modal' });
    await expect(client.users.info({ user: 'U0ALICE' })).resolves.toMatchObject({ user: { id: 'U0ALICE', profile: { email: 'alice@acme.test' } } });
    await expect(client.usergroups.users.list({ usergroup: 'S0FIN' })).resolves.toMatchObject({ users: ['U0ALICE', 'U0BOB'] });
    await expect(client.auth.test()).resolves.toMatchObject({ team_id: 'T0ACME', user_id: 'UBOT' });
  });

  it('rate-limits with Retry-After, and the client retries to success', async () => {
    const waits: number[] = [];
    const onRateLimited = (seconds: number) => waits.push(seconds);
    client.on(WebClientEvent.RATE_LIMITED, onRateLimited);
    try {
      slack.failNext('chat.postMessage', { retryAfter: 1 });
      await expect(client.chat.postMessage({ channel: 'C0FIN', text: 'retry me' })).resolves.toMatchObject({ ok: true });
    } finally {
      client.off(WebClientEvent.RATE_LIMITED, onRateLimited);
    }
    expect(waits).toEqual([1]);
    expect(slack.calls('chat.postMessage').map((c) => c.status)).toEqual([429, 200]);
  });

  it('fails with HTTP 500 until the client gives up', async () => {
    slack.failNext('chat.update', { status: 500, times: 3 });
    await expect(client.chat.update({ channel: 'C0FIN', ts: '1.000100', text: 'x' })).rejects.toThrow();
    expect(slack.calls('chat.update').map((c) => c.status)).toEqual([500, 500, 500]);
  });

  it('reports platform errors such as channel_not_found to the caller', async () => {
    slack.failNext('chat.postMessage', { error: 'channel_not_found' });
    await expect(client.chat.postMessage({ channel: 'C0GONE', text: 'x' })).rejects.toMatchObject({ data: { ok: false, error: 'channel_not_found' } });
    await expect(client.chat.postMessage({ channel: 'C0FIN', text: 'x' })).resolves.toMatchObject({ ok: true });
    await expect(client.usergroups.users.list({ usergroup: 'S0UNKNOWN' })).rejects.toMatchObject({ data: { error: 'no_such_subteam' } });
  });

  describe('enforcing limits', () => {
    // A refill of a minute: nothing refills while the test runs, however slow the machine.
    const limits = { postMessagePerChannel: { everyMs: 60_000, burst: 2 }, methods: { 'chat.update': { everyMs: 60_000, burst: 3 } } };
    const strict = (token = 'xoxb-test-token') =>
      new WebClient(token, { slackApiUrl: slack.url, logLevel: LogLevel.ERROR, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
    afterAll(() => slack.enforceLimits(undefined));

    it('answers a burst of posts to one channel with 429 and Retry-After once the burst is spent, while other channels still post', async () => {
      slack.enforceLimits(limits);
      const c = strict();
      await c.chat.postMessage({ channel: 'C0ONE', text: '1' });
      await c.chat.postMessage({ channel: 'C0ONE', text: '2' });
      await expect(c.chat.postMessage({ channel: 'C0ONE', text: '3' })).rejects.toMatchObject({ code: 'slack_webapi_rate_limited_error', retryAfter: 60 });
      await expect(c.chat.postMessage({ channel: 'C0TWO', text: 'other channel' })).resolves.toMatchObject({ ok: true });
      expect(slack.overLimit().map((x) => [x.method, x.overLimit, x.body.channel])).toEqual([['chat.postMessage', 'channel', 'C0ONE']]);
      expect(slack.messages('C0ONE')).toHaveLength(2);
    });

    it('limits a method per workspace: another token has its own bucket', async () => {
      slack.enforceLimits(limits);
      const c = strict();
      for (let i = 0; i < 3; i++) await c.chat.update({ channel: `C0${i}`, ts: '1.000100', text: 'x' });
      await expect(c.chat.update({ channel: 'C0X', ts: '1.000100', text: 'x' })).rejects.toMatchObject({ code: 'slack_webapi_rate_limited_error' });
      await expect(strict('xoxb-other-workspace').chat.update({ channel: 'C0X', ts: '1.000100', text: 'x' })).resolves.toMatchObject({ ok: true });
      expect(slack.overLimit('chat.update')).toHaveLength(1);
    });

    it('models Slack: one post a second per channel with short bursts, chat.update at Tier 3', () => {
      expect(SLACK_LIMITS.postMessagePerChannel).toEqual({ everyMs: 1_000, burst: 5 });
      expect(SLACK_LIMITS.methods?.['chat.update']).toEqual({ everyMs: 1_200, burst: 50 });
    });
  });
});
