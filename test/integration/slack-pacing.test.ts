import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SLACK_PACE } from '../../adapters/slack/slack-limits.js';
import { QUEUES } from '../../src/infra/queue/approval-queues.js';
import { FakeSlackApi, SLACK_LIMITS, type RecordedCall } from '../fakes/fake-slack-api.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startSlackAirlock, type SlackTestAirlock } from '../support/slack-airlock.js';
import { waitFor } from '../support/wait-for.js';

/**
 * Slack allows about one chat.postMessage a second per channel. A burst of
 * cards for one reviewer channel must not hold up another channel's cards,
 * nor make Airlock hammer Slack with calls it will refuse: with the fake
 * enforcing Slack's limits and two Airlock processes sharing the queues,
 * each card is posted once, in its channel's own slot.
 */
const BURST = 20;
const OTHERS = 3;

const actionOf = (c: RecordedCall) => (c.body.metadata as { event_payload?: { action_id?: string } } | undefined)?.event_payload?.action_id;

describe.each([
  ['Redis', 'redis' as const],
  ['Postgres (no REDIS_URL)', 'postgres' as const],
])('pacing Slack posts per channel, two processes, %s', (_name, queue) => {
  let db: TestDatabase;
  let slack: FakeSlackApi;
  let one: SlackTestAirlock;
  let two: SlackTestAirlock;

  beforeAll(async () => {
    db = await createTestDatabase();
    slack = await FakeSlackApi.start({ limits: SLACK_LIMITS });
    const env = { AIRLOCK_CHAT_PACING: 'on' };
    one = await startSlackAirlock({ db, slack, queue, env });
    two = await startSlackAirlock({ db, slack, queue, env, auth: one.auth });
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
    await slack?.close();
    await db?.drop();
  });

  it("a burst of cards for one channel neither holds up another channel's cards nor sets off a storm of 429s", { timeout: 90_000 }, async () => {
    const email = { args: { to: 'x@example.com', subject: 's' } };
    const burst = await Promise.all(Array.from({ length: BURST }, () => one.submit('send_email', email)));
    const others = [];
    for (let i = 0; i < OTHERS; i++) others.push(await one.submit('refund', { args: { amount_cents: 100 + i } }));

    const posted = () => slack.calls('chat.postMessage').filter((c) => c.status === 200);
    const all = new Set([...burst, ...others].map((a) => a.id));
    // One card a second in the busy channel after its first few: about BURST seconds in all.
    await waitFor(() => posted().filter((c) => all.has(actionOf(c)!)).length >= all.size, { timeoutMs: 75_000, what: 'every card' });

    const cards = posted();
    for (const id of all) expect(cards.filter((c) => actionOf(c) === id), `cards of ${id}`).toHaveLength(1);
    const order = cards.map((c) => String(c.body.channel));
    const tenthInBusy = order.map((ch, i) => (ch === 'C0LEADS' ? i : -1)).filter((i) => i >= 0)[9]!;
    const inOther = order.map((ch, i) => (ch === 'C0FIN' ? i : -1)).filter((i) => i >= 0);
    expect(inOther).toHaveLength(OTHERS);
    // Submitted after the whole burst, yet posted before the busy channel got its tenth card.
    for (const i of inOther) expect(i).toBeLessThan(tenthInBusy);
    // Paced to Slack's limits, not discovered from them: a 429 is an accident, not the way cards are spaced.
    expect(slack.overLimit().length, `calls Slack would have refused: ${slack.overLimit().length}`).toBeLessThanOrEqual(2);
  });
});

describe.each(['redis', 'postgres'] as const)('a burst card is enqueued for its slot (%s)', (queue) => {
  let t: SlackTestAirlock;
  beforeAll(async () => {
    // No queue workers: what intake wrote is what the queue holds.
    t = await startSlackAirlock({ queue, processors: false, env: { AIRLOCK_CHAT_PACING: 'on' } });
  });
  afterAll(() => t?.close());

  it("writes each card past the channel's burst as a delayed job due at its slot, so no worker passes over it to reach another channel's card", { timeout: 30_000 }, async () => {
    const { burst, intervalMs } = SLACK_PACE.postPerChannel;
    const extra = 3;
    const ids: string[] = [];
    for (let i = 0; i < burst + extra; i++) ids.push((await t.submit('send_email', { args: { to: 'x@example.com', subject: `s${i}` } })).id);
    const other = await t.submit('refund', { args: { amount_cents: 100 } });

    const cards = t.core.queues.queue(QUEUES.cards);
    const jobOf = (id: string) => `post_${id}_0_slack`;
    const waiting = new Set((await cards.getJobs(['waiting'])).map((j) => j.id));
    const delayed = new Map((await cards.getJobs(['delayed'])).map((j) => [j.id, j]));
    // The channel's burst and the other channel's card are due at once.
    for (const id of [...ids.slice(0, burst), other.id]) expect(waiting.has(jobOf(id)), `card of ${id} due now`).toBe(true);
    // The rest wait in the queue for their slots, one interval apart.
    const due = ids.slice(burst).map((id) => {
      const job = delayed.get(jobOf(id));
      expect(job, `card of ${id} delayed`).toBeDefined();
      return job!.timestamp + job!.delay;
    });
    for (let i = 1; i < due.length; i++) expect(due[i]! - due[i - 1]!).toBeGreaterThan(intervalMs / 2);
  });
});

describe.each(['redis', 'postgres'] as const)('a quiet channel takes its burst at once (%s)', (queue) => {
  let t: SlackTestAirlock;
  beforeAll(async () => {
    t = await startSlackAirlock({ queue, slack: await FakeSlackApi.start({ limits: SLACK_LIMITS }), env: { AIRLOCK_CHAT_PACING: 'on' } });
  });
  afterAll(async () => {
    await t?.close();
    await t?.slack.close();
  });

  it('posts as many cards as the channel bursts without waiting for a slot: each card takes one slot, reserved when its round starts', { timeout: 30_000 }, async () => {
    const { burst, intervalMs } = SLACK_PACE.postPerChannel;
    const ids = new Set<string>();
    for (let i = 0; i < burst; i++) ids.add((await t.submit('send_email', { args: { to: 'x@example.com', subject: `s${i}` } })).id);
    const posted = () => t.slack.calls('chat.postMessage').filter((c) => c.status === 200 && ids.has(actionOf(c)!));
    await waitFor(() => posted().length >= burst, { timeoutMs: 20_000, what: 'the burst of cards' });
    const times = posted().map((c) => c.at.getTime());
    // A card that took a second slot when its job ran would wait an interval per card before it.
    expect(Math.max(...times) - Math.min(...times)).toBeLessThan(intervalMs);
    expect(t.slack.calls('chat.postMessage').filter((c) => c.status === 429)).toHaveLength(0);
  });
});
