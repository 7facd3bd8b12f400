import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSendReminder } from '../../src/usecases/send-reminder.js';
import { startAirlock, type TestAirlock } from '../support/airlock.js';

/**
 * A reviewer group whose only target is the web console: no chat app is
 * configured, so no card is ever posted. The action waits in the inbox; the
 * approval loop neither fails on it nor keeps retrying it.
 */
let t: TestAirlock;
let auth: string;
beforeAll(async () => {
  // API only: nothing but this test touches the reminders.
  t = await startAirlock({ policyFile: 'test/fixtures/console-policy.yml', processors: false });
  auth = await t.agentAuth('acme', 'bot');
});
afterAll(() => t.close());

const submit = async () => {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/actions',
    headers: { authorization: auth },
    payload: { tool: 'send_email', args: { to: 'jane@example.com', subject: 'hi' }, requester: { id: 'U0SAM', email: 'sam@example.com' } },
  });
  expect(res.statusCode).toBe(201);
  return res.json() as { id: string; status: string };
};

describe('a reviewer group with only a console target', () => {
  it('queues the action owing no card, so nothing posts it and the reconciler has no card to repair', async () => {
    const a = await submit();
    expect(a.status).toBe('pending');
    const action = await t.core.actions.get('acme', a.id);
    expect(action?.cardPlatforms).toEqual([]);
    expect(await t.core.actions.cardsDue(new Date(Date.now() + 86_400_000), 60_000, 100)).toEqual([]);
  });

  it('marks a due reminder done once, though there is no card to remind in, so it is not due on every tick', async () => {
    const a = await submit();
    const later = new Date(Date.now() + 20 * 60_000);
    const due = async () => (await t.core.actions.dueReminders(later, 1000)).map((r) => r.actionId);
    expect(await due()).toContain(a.id);
    const remind = makeSendReminder({ actions: t.core.actions, cards: t.approvals.cards, policy: t.core.policy, platforms: t.approvals.platforms, clock: { now: () => later } });
    expect(await remind({ tenant: 'acme', actionId: a.id, round: 0 })).toBe(true);
    expect(await due()).not.toContain(a.id);
    expect(await remind({ tenant: 'acme', actionId: a.id, round: 0 })).toBe(false);
  });
});
