import { expect } from 'vitest';
import type { SlackTestAirlock } from './slack-airlock.js';
import { postSlashCommand } from './slack-requests.js';

let seq = 0;

/** Runs `/airlock <text>` the way Slack sends it (signed) and returns the ephemeral reply that follows the ack. */
export async function slashCommand(t: SlackTestAirlock, text: string, user = 'U0ADMIN', team = 'T0ACME'): Promise<string> {
  const id = `r${++seq}`;
  const res = await postSlashCommand(t.app, { text, user, team, responseUrl: t.slack.responseUrl(id) });
  expect(res.statusCode).toBe(200);
  const reply = await t.slack.waitForCall('response_url', (c) => c.body.response_id === id);
  expect(reply.body.response_type).toBe('ephemeral');
  return String(reply.body.text);
}
