import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlackApi } from '../fakes/fake-slack-api.js';
import { approveClick, slackHeaders } from '../support/slack-requests.js';
import { TEAMS_MEMBERS, startTeamsAirlock, teamsActivity, type TeamsTestAirlock } from '../support/teams-airlock.js';
import { waitFor } from '../support/wait-for.js';

/**
 * A reviewer group that names a Slack channel and a Teams conversation: the
 * card goes to both, the first valid click anywhere decides, both cards
 * update, notices reach both, and each platform's card is recovered on its own.
 */
let slack: FakeSlackApi;
let t: TeamsTestAirlock;

beforeAll(async () => {
  // Lou is U0LEAD2 on Slack and aad-lead-2 on Teams (UPN lou@acme.test): one person, the email in another case.
  slack = await FakeSlackApi.start({ emails: { U0LEAD2: 'Lou@ACME.test' } });
  t = await startTeamsAirlock({ policy: 'test/fixtures/both-platforms-policy.yml', slackApiUrl: slack.url });
}, 120_000);
afterAll(async () => {
  await t?.close();
  await slack?.close();
});

const email = { args: { to: 'x@example.com', subject: 's' } };
const slackCard = (id: string, timeoutMs?: number) =>
  slack.waitForCall('chat.postMessage', (c) => c.status === 200 && JSON.stringify(c.body.metadata ?? '').includes(id), timeoutMs);
const teamsCard = (id: string, timeoutMs?: number) => t.fake.waitForCall('send', (c) => c.status === 200 && JSON.stringify(c.body).includes(id), timeoutMs);
/** A signed Slack click, sent to the Airlock process the way Slack sends it. */
async function slackClick(user: string, actionId: string) {
  const body = new URLSearchParams({ payload: JSON.stringify(approveClick({ user, actionId, version: 1 })) }).toString();
  const res = await fetch(`${t.base}/slack/events`, { method: 'POST', headers: slackHeaders(body), body });
  expect(res.status).toBe(200);
}

describe('one reviewer group on Slack and Teams', () => {
  it('posts the card to both; the first valid click anywhere decides, both cards update, and a later click is told who decided', async () => {
    const a = await t.submit('send_email', email);
    const posted = await slackCard(a.id);
    const teams = await teamsCard(a.id);
    const click = await t.send(teamsActivity('invoke-approve', t.fake, { actionId: a.id }));
    expect(click.body.type).toBe('application/vnd.microsoft.card.adaptive');
    expect((await t.get(a.id)).status).toBe('approved');

    const slackTs = slack.messages('C0LEADS').find((m) => JSON.stringify(m.metadata ?? '').includes(a.id))!.ts;
    await slack.waitForCall('chat.update', (c) => c.body.ts === slackTs && JSON.stringify(c.body.blocks).includes('Approved'), 10_000);
    await t.fake.waitForCall('update', (c) => c.activityId === teams.answeredId && JSON.stringify(c.body).includes('Approved'));
    expect(posted.body.channel).toBe('C0LEADS');

    await slackClick('U0LEAD2', a.id);
    const told = await slack.waitForCall('chat.postEphemeral', (c) => c.body.user === 'U0LEAD2');
    expect(String(told.body.text)).toContain('Too late: this action was already approved by Lea Lead');
    expect((await t.get(a.id)).reviews).toHaveLength(1);
  });

  it('counts a person who approves on Slack and again on Teams (same email) once towards a quorum of two', async () => {
    const a = await t.submit('refund', { args: { amount: 5 } });
    await slackCard(a.id);
    await slackClick('U0LEAD2', a.id);
    await waitFor(async () => (await t.get(a.id)).reviews.length === 1, { what: 'the Slack approval counted' });

    const lou = TEAMS_MEMBERS.find((m) => m.aadObjectId === 'aad-lead-2')!;
    const again = await t.send(teamsActivity('invoke-approve', t.fake, { actionId: a.id, from: { id: lou.id, name: lou.name, aadObjectId: lou.aadObjectId } }));
    expect(again.body).toMatchObject({ type: 'application/vnd.microsoft.activity.message', value: expect.stringContaining('You already approved this version') });
    expect(await t.get(a.id)).toMatchObject({ status: 'pending', reviews: [expect.objectContaining({ reviewer: expect.objectContaining({ id: 'U0LEAD2' }) })] });

    // Lea is another person: her approval completes the quorum.
    await t.send(teamsActivity('invoke-approve', t.fake, { actionId: a.id }));
    expect((await t.get(a.id)).status).toBe('approved');
  });

  it('tells both places when incident mode starts and ends', async () => {
    await t.send(teamsActivity('message-admin-command', t.fake, { text: '<at>Airlock</at> incident on drill' }));
    await slack.waitForCall('chat.postMessage', (c) => c.body.channel === 'C0LEADS' && String(c.body.text).includes('Incident mode is ON'));
    await t.fake.waitForCall('send', (c) => c.conversationId === '19:leads@thread.tacv2' && String(c.body.text).includes('Incident mode is ON'));
    await t.send(teamsActivity('message-admin-command', t.fake, { text: '<at>Airlock</at> incident off' }));
    await slack.waitForCall('chat.postMessage', (c) => c.body.channel === 'C0LEADS' && String(c.body.text).includes('Incident mode is OFF'));
    await t.fake.waitForCall('send', (c) => c.conversationId === '19:leads@thread.tacv2' && String(c.body.text).includes('Incident mode is OFF'));
  });

  it('posts a Teams card whose job was lost once Teams answers again, without posting the Slack card twice', { timeout: 60_000 }, async () => {
    t.fake.failNext('send', { status: 503, times: 10_000 });
    const a = await t.submit('send_email', email);
    await slackCard(a.id);
    // The Teams card's job is lost while Teams is down: removed between two attempts, so nothing is in flight.
    const db = new pg.Client({ connectionString: t.db.url });
    await db.connect();
    try {
      await waitFor(
        async () =>
          (await db.query("DELETE FROM airlock_bullmq.job WHERE id = $1 AND state = 'delayed' RETURNING id", [`post_${a.id}_0_teams`])).rowCount === 1,
        { timeoutMs: 20_000, intervalMs: 10, what: 'the Teams card job waiting for its next attempt' },
      );
    } finally {
      await db.end();
    }
    t.fake.reset();
    // Only the reconciler can bring the card back now.
    expect(await cardStates(a.id)).toEqual([{ platform: 'slack', state: 'posted' }]);
    await teamsCard(a.id, 40_000);
    await waitFor(async () => (await cardStates(a.id)).length === 2, { what: 'both cards recorded' });
    expect(await cardStates(a.id)).toEqual([
      { platform: 'slack', state: 'posted' },
      { platform: 'teams', state: 'posted' },
    ]);
    expect(slack.calls('chat.postMessage').filter((c) => c.status === 200 && JSON.stringify(c.body.metadata ?? '').includes(a.id))).toHaveLength(1);
    expect(t.fake.calls('send').filter((c) => c.status === 200 && JSON.stringify(c.body).includes(a.id))).toHaveLength(1);
  });
});

async function cardStates(actionId: string) {
  const db = new pg.Client({ connectionString: t.db.url });
  await db.connect();
  try {
    return (await db.query("SELECT platform, state FROM action_cards WHERE action_id = $1 AND state = 'posted' ORDER BY platform", [actionId])).rows;
  } finally {
    await db.end();
  }
}
