import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeListInbox } from '../../src/usecases/list-inbox.js';
import { startAirlock, type TestAirlock } from '../support/airlock.js';

/** What a console reviewer's inbox lists: the pending approvals of their groups in one tenant, oldest first. */
let t: TestAirlock;
beforeAll(async () => {
  t = await startAirlock({ policyFile: 'test/fixtures/console-policy.yml', processors: false });
});
afterAll(() => t.close());

const keys = new Map<string, string>();
const submit = async (tenant: string, tool: string) => {
  if (!keys.has(tenant)) keys.set(tenant, await t.agentAuth(tenant, 'bot'));
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/actions',
    headers: { authorization: keys.get(tenant)! },
    payload: { tool, args: { to: 'jane@example.com', subject: 'hi', body: 'secret body' }, requester: { id: 'U0SAM' } },
  });
  expect(res.statusCode).toBe(201);
  return (res.json() as { id: string }).id;
};

describe('the inbox listing', () => {
  it("lists only the tenant's pending approvals of the reviewer's groups, oldest first, each with its card", async () => {
    const first = await submit('acme', 'send_email');
    const refund = await submit('acme', 'refund');
    const second = await submit('acme', 'send_email');
    await submit('globex', 'send_email');
    const listInbox = makeListInbox({ actions: t.core.actions, policy: t.core.policy });

    const leads = await listInbox('acme', ['leads'], 50);
    expect(leads.total).toBe(2);
    expect(leads.items.map((c) => c.action.id)).toEqual([first, second]);
    expect(leads.items[0]!.card.buttons).toMatchObject({ actionId: first, argsVersion: 1, editable: ['subject'] });
    // Redacted values never reach a card.
    expect(JSON.stringify(leads.items[0]!.card)).not.toContain('secret body');

    expect((await listInbox('acme', ['leads', 'finance'], 50)).items.map((c) => c.action.id)).toEqual([first, refund, second]);
    expect(await listInbox('acme', ['leads', 'finance'], 1)).toMatchObject({ total: 3, items: [expect.objectContaining({ action: expect.objectContaining({ id: first }) })] });
    expect(await listInbox('acme', [], 50)).toEqual({ total: 0, items: [] });
  });
});
