import { fork, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Action } from '../../src/domain/action.js';
import type { CardContent } from '../../src/ports/chat-platform.js';
import { approvalCard } from '../../src/domain/approval-card.js';
import { FakeBotFramework } from '../fakes/fake-bot-framework.js';
import { pendingAction } from '../support/action-fixture.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { TEAMS_APP_ID, TEAMS_APP_PASSWORD } from '../support/teams-airlock.js';
import { createTestCa, type TestCa } from '../support/test-ca.js';
import { waitFor } from '../support/wait-for.js';

/**
 * Teams takes about one message every 2 s per conversation from a bot, after
 * a short burst (adapters/teams/teams-limits.ts). The real TeamsPlatform, in
 * a child process that trusts the test CA, paced through Postgres: a card
 * over the limit is handed back to the queue without calling the connector.
 * That a 429 the connector sends anyway keeps the conversation quiet until
 * its Retry-After has passed is shared with Slack (approval-conformance.ts).
 */
let ca: TestCa;
let fake: FakeBotFramework;
let db: TestDatabase;
let child: ChildProcess;
let nextId = 0;
type Reply = { ok: true; value: unknown } | { ok: false; error: { name?: string; code?: string; retry?: boolean; message?: string } };
const pending = new Map<number, (reply: Reply) => void>();

function call(method: string, ...args: unknown[]): Promise<Reply> {
  const id = ++nextId;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    child.send(JSON.stringify({ id, method, args }, (_key, value: unknown) => (value instanceof Map ? { __map: [...value] } : value)));
  });
}

beforeAll(async () => {
  ca = createTestCa();
  fake = await FakeBotFramework.start({ appId: TEAMS_APP_ID, appPassword: TEAMS_APP_PASSWORD, tls: ca });
  db = await createTestDatabase();
  child = fork('test/support/teams-notifier-child.ts', [], {
    execArgv: ['--import', 'tsx'],
    env: {
      ...process.env,
      NODE_EXTRA_CA_CERTS: ca.caPath,
      TEAMS_APP_ID,
      TEAMS_APP_PASSWORD,
      TEAMS_OPENID_METADATA_URL: fake.openIdMetadataUrl,
      TEAMS_LOGIN_URL: fake.loginUrl(),
      PACER_DATABASE_URL: db.url,
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let ready = false;
  child.on('message', (m: { id?: number; ready?: boolean }) => {
    if (m.ready) ready = true;
    if (m.id !== undefined) pending.get(m.id)?.(m as never);
  });
  await waitFor(() => ready, { timeoutMs: 30_000, what: 'the notifier child process' });
  await call('setServiceUrls', { acme: fake.serviceUrl('teams') });
}, 60_000);

afterAll(async () => {
  child?.kill();
  await fake?.close();
  await db?.drop();
  ca?.remove();
});

const content = (conversationId: string, over: Partial<Action>): CardContent => {
  const action = pendingAction({ agent: 'bot', tool: 'send_email', args: {}, requester: { id: 'sam@acme.test' }, reviewerGroup: 'leads', ...over });
  const group = { name: 'leads', maxPending: 500, chat: new Map([['teams', { place: conversationId, users: ['aad-lead-1'] }]]) };
  return { action, group, card: approvalCard({ action, tool: undefined, group }) };
};

/** What the card job does (post-card.ts): ask for the card's slot, and post only when it has come. */
async function postWhenDue(c: CardContent): Promise<{ wait: number; posted?: Reply }> {
  const asked = await call('cardWait', c);
  if (!asked.ok) throw new Error(`cardWait failed: ${asked.error.message}`);
  const wait = asked.value as number;
  return wait > 0 ? { wait } : { wait, posted: await call('postCard', c) };
}

describe('pacing Teams cards per conversation', () => {
  it('posts a short burst, then gives the next cards later slots without calling Teams; other conversations still post', async () => {
    const busy = '19:busy@thread.tacv2';
    const results = [];
    for (let i = 0; i < 8; i++) results.push(await postWhenDue(content(busy, { id: `act_busy_${i}` })));
    for (const r of results.slice(0, 6)) expect(r).toMatchObject({ wait: 0, posted: { ok: true } });
    // One every 2 s after the burst, each card its own slot.
    expect(results[6]!.wait).toBeGreaterThan(0);
    expect(results[7]!.wait - results[6]!.wait).toBeGreaterThan(1_000);
    expect(fake.calls('send').filter((c) => c.conversationId === busy)).toHaveLength(6);
    expect(await postWhenDue(content('19:quiet@thread.tacv2', { id: 'act_quiet' }))).toMatchObject({ wait: 0, posted: { ok: true } });
  });
});
