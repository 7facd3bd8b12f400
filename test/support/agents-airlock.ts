import type { AddressInfo } from 'node:net';
import { makeCreateAgent } from '../../src/usecases/create-agent.js';
import type { TestDatabase } from './database.js';
import { startSlackAirlock, type SlackTestAirlock } from './slack-airlock.js';
import { approveClick, denySubmission, editSubmission, postInteraction } from './slack-requests.js';

export interface AgentsTestAirlock extends SlackTestAirlock {
  /** http://127.0.0.1:<port>: the real server, listening. */
  url: string;
  /** The `bot` agent's bare key (no `Bearer`). */
  key: string;
  /** A new agent's key and callback secret. */
  createAgent(name: string): Promise<{ key: string; callback_secret: string }>;
  /** Waits for the approval card of an action in the fake Slack. */
  card(id: string): Promise<unknown>;
  approve(id: string, user?: string, version?: number): Promise<void>;
  approveWithChanges(id: string, edits: Record<string, string>, user?: string): Promise<void>;
  deny(id: string, reason: string, user?: string): Promise<void>;
}

/** Airlock on test/fixtures/agents-policy.yml, listening on a free port, with reviewers clicking in a fake Slack. */
export async function startAgentsAirlock(opts: { db?: TestDatabase } = {}): Promise<AgentsTestAirlock> {
  const t = await startSlackAirlock({
    policyFile: 'test/fixtures/agents-policy.yml',
    // Agents' callback receivers in these tests listen on this machine, as an internal receiver a deployment allows.
    env: { AIRLOCK_CALLBACK_ALLOW: '127.0.0.1' },
    ...(opts.db ? { db: opts.db } : {}),
  });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = t.app.server.address() as AddressInfo;
  const create = makeCreateAgent({ agents: t.core.agents, policy: t.core.policy });
  const ok = async (p: Promise<{ statusCode: number; body: string }>) => {
    const res = await p;
    if (res.statusCode !== 200) throw new Error(`Slack interaction answered ${res.statusCode}: ${res.body}`);
  };
  return {
    ...t,
    url: `http://127.0.0.1:${port}`,
    key: t.auth.replace(/^Bearer /, ''),
    createAgent: async (name) => create('acme', name),
    card: (id) => t.slack.waitForCall('chat.postMessage', (c) => c.status === 200 && JSON.stringify(c.body.metadata ?? '').includes(id)),
    approve: (id, user = 'U0LEAD1', version = 1) => ok(postInteraction(t.app, approveClick({ user, actionId: id, version }))),
    approveWithChanges: (id, edits, user = 'U0LEAD1') => ok(postInteraction(t.app, editSubmission({ user, actionId: id, version: 1, edits }))),
    deny: (id, reason, user = 'U0LEAD1') => ok(postInteraction(t.app, denySubmission({ user, actionId: id, reason, version: 1 }))),
  };
}
