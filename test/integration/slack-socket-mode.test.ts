import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlackApi } from '../fakes/fake-slack-api.js';
import { FakeSocketMode } from '../fakes/fake-socket-mode.js';
import { approveClick, fixture } from '../support/slack-requests.js';
import { startSlackAirlock, type SlackTestAirlock } from '../support/slack-airlock.js';
import { waitFor } from '../support/wait-for.js';

let slack: FakeSlackApi;
let socket: FakeSocketMode;
let t: SlackTestAirlock;

beforeAll(async () => {
  slack = await FakeSlackApi.start();
  socket = new FakeSocketMode(slack.httpServer);
  // An app token switches Bolt to Socket Mode; no signing secret is needed then.
  t = await startSlackAirlock({ slack, env: { SLACK_APP_TOKEN: 'xapp-test-token', SLACK_SIGNING_SECRET: '' } });
});
afterAll(async () => {
  await t.close();
  await socket.close();
  await slack.close();
});

describe('Slack over Socket Mode', () => {
  it('connects out with the app token and serves no HTTP endpoint', async () => {
    const open = await slack.waitForCall('apps.connections.open');
    expect(open.token).toBe('xapp-test-token');
    await waitFor(() => socket.connected, { what: 'socket connected' });
    const res = await t.app.inject({ method: 'POST', url: '/slack/events', payload: 'x' });
    expect(res.statusCode).toBe(404);
  });

  it('acks and handles clicks and slash commands received over the socket', async () => {
    const a = await t.submit('send_email', { args: { to: 'x@example.com', subject: 's' } });
    await slack.waitForCall('chat.postMessage', (c) => JSON.stringify(c.body.metadata ?? '').includes(a.id));
    await socket.send('interactive', approveClick({ user: 'U0LEAD1', actionId: a.id }));
    await waitFor(async () => (await t.get(a.id)).status === 'approved', { what: 'approved over the socket' });

    const command = fixture('slash-command', { RESPONSE_URL: slack.responseUrl('socket-1') }) as Record<string, string>;
    command.text = 'status';
    await socket.send('slash_commands', command);
    const reply = await slack.waitForCall('response_url', (c) => c.body.response_id === 'socket-1');
    expect(String(reply.body.text)).toContain('Airlock status for acme');
  });
});
