import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionNotExecutedError, Airlock, AirlockClientError, verifyCallback, type Action } from '@airlock/client';
import { startAgentsAirlock, type AgentsTestAirlock } from '../../support/agents-airlock.js';
import { startStubServer } from '../../support/stub-server.js';
import { waitFor } from '../../support/wait-for.js';

/** The TypeScript client against a real Airlock: what an agent sees when it gates its tools. */
let t: AgentsTestAirlock;
let airlock: Airlock;

beforeAll(async () => {
  t = await startAgentsAirlock();
  airlock = new Airlock({ url: t.url, agentKey: t.key });
});
afterAll(() => t.close());

const requester = { id: 'U0SAM', email: 'sam@acme.test' };
const actionCount = async () => Number((await t.core.pool.query('SELECT count(*) AS n FROM actions')).rows[0].n);

describe('gate', () => {
  it('lets an allowed action run at once, with the agent’s own arguments', async () => {
    const outcome = await airlock.gate({ tool: 'lookup', args: { order_id: 'o-1' }, requester });
    expect(outcome).toMatchObject({ execute: true, mode: 'allow', args: { order_id: 'o-1' }, reviews: [] });
    expect(outcome.action).toMatchObject({ status: 'decided', decision: 'allow' });
  });

  it('waits across long polls for a reviewer, then runs the approved arguments with its own values for redacted fields', async () => {
    const polls: Action[] = [];
    const gating = airlock.gate(
      { tool: 'send_email', args: { to: 'jane@example.com', subject: 'Your refund', body: 'secret body' }, requester, summary: 'tell Jane' },
      { pollSeconds: 1, onPending: (a) => void polls.push(a) },
    );
    const id = (await waitFor(() => polls[0], { what: 'the queued action' })).id;
    await t.card(id);
    await waitFor(() => polls.length >= 3, { what: 'three long polls while pending' });
    await t.approveWithChanges(id, { subject: 'Your refund is on its way' });
    const outcome = await gating;
    expect(outcome.execute).toBe(true);
    expect(outcome.mode).toBe('allow');
    // approved_args carries "[redacted]" for body: the client puts the agent's own value back.
    expect(outcome.action.approved_args).toEqual({ to: 'jane@example.com', subject: 'Your refund is on its way', body: '[redacted]' });
    expect(outcome.args).toEqual({ to: 'jane@example.com', subject: 'Your refund is on its way', body: 'secret body' });
    expect(outcome.reviews).toMatchObject([{ decision: 'approve', reviewer: { id: 'U0LEAD1' } }]);

    const reported = await airlock.reportResult(outcome.action, { outcome: 'succeeded', args: outcome.args, external_ref: 'msg-1' });
    expect(reported.result).toMatchObject({ outcome: 'succeeded', args_check: 'match', violation: null });
  });

  it('a result reported with the redaction marker instead of the real value is recorded as a violation', async () => {
    let pending: string | undefined;
    const gating = airlock.gate({ tool: 'send_email', args: { to: 'a@example.com', subject: 's', body: 'real' }, requester }, { onPending: (a) => void (pending = a.id) });
    await waitFor(() => pending, { what: 'the queued action' });
    await t.card(pending!);
    await t.approveWithChanges(pending!, { subject: 's2' });
    const outcome = await gating;
    const reported = await airlock.reportResult(outcome.action, { outcome: 'succeeded', args: outcome.action.approved_args! });
    expect(reported.result).toMatchObject({ args_check: 'mismatch' });
  });

  it('tells the agent why a reviewer denied, and never to execute', async () => {
    let id: string | undefined;
    const gating = airlock.gate({ tool: 'send_email', args: { to: 'a@example.com', subject: 's' }, requester }, { onPending: (a) => void (id = a.id) });
    await t.card(await waitFor(() => id));
    await t.deny(id!, 'wrong customer');
    const outcome = await gating;
    expect(outcome).toMatchObject({ execute: false, mode: 'off' });
    expect(outcome.reason).toContain('wrong customer');
  });

  it('says deny, constrain and observe apart, none of them as execute', async () => {
    const never = await airlock.gate({ tool: 'never', requester });
    expect(never).toMatchObject({ execute: false, mode: 'off' });
    expect(never.reason).toMatch(/denied by policy: .*never is off/);
    expect(await airlock.gate({ tool: 'draft_only', requester })).toMatchObject({ execute: false, mode: 'draft_write' });
    const observe = await airlock.gate({ tool: 'observe_only', requester });
    expect(observe).toMatchObject({ execute: false, mode: 'observe' });
    expect(observe.reason).toContain('recorded only');
    const unregistered = await airlock.gate({ tool: 'rm_rf', requester });
    expect(unregistered).toMatchObject({ execute: false, mode: 'off' });
  });

  it('an approval nobody gives in time falls back to the safest mode, still not execute', async () => {
    const outcome = await airlock.gate({ tool: 'quick_fallback', requester }, { pollSeconds: 1 });
    expect(outcome).toMatchObject({ execute: false, mode: 'draft_write', action: { status: 'expired', decision: 'fallback' } });
    expect(outcome.reason).toContain('no reviewer decided in time');
  });

  it('gives up at timeoutMs with the action id, and the action is still pending for a later wait', async () => {
    const err = (await airlock.gate({ tool: 'send_email', args: { to: 'a@example.com', subject: 's' }, requester }, { timeoutMs: 1500, pollSeconds: 1 }).catch((e) => e)) as AirlockClientError;
    expect(err).toBeInstanceOf(AirlockClientError);
    expect(err.kind).toBe('timeout');
    expect(err.actionId).toBeDefined();
    expect((await airlock.getAction(err.actionId!)).status).toBe('pending');
  });

  it('a retry after a lost answer returns the same action instead of creating a second one', async () => {
    let calls = 0;
    const flaky = new Airlock({
      url: t.url,
      agentKey: t.key,
      retry: { baseDelayMs: 1 },
      // The first request reaches Airlock, which decides; its answer is lost on the way back.
      fetch: async (input, init) => {
        const res = await fetch(input, init);
        if (++calls === 1) throw new TypeError('fetch failed: socket hang up');
        return res;
      },
    });
    const before = await actionCount();
    const outcome = await flaky.gate({ tool: 'lookup', args: { order_id: 'o-2' }, requester });
    expect(outcome.execute).toBe(true);
    expect(calls).toBe(2);
    expect(await actionCount()).toBe(before + 1);
  });

  it('refuses a bad request at once with the validation details, without retrying', async () => {
    const err = (await airlock.submit({ tool: 'lookup', requester: { id: '' } }).catch((e) => e)) as AirlockClientError;
    expect(err).toMatchObject({ kind: 'http', status: 400, code: 'validation_failed', attempts: 1 });
    expect(err.details.map((d) => d.path)).toContain('body.requester.id');
    expect(err.message).toContain('body.requester.id');
  });

  it('tells the agent which tools the policy registers for it', async () => {
    expect(await airlock.agent()).toEqual({
      tenant: 'acme',
      agent: 'bot',
      tools: ['draft_only', 'lookup', 'never', 'notes.drop_notes', 'notes.read_note', 'notes.search_notes', 'notes.write_note', 'observe_only', 'quick_fallback', 'send_email', 'slow.read_note', 'slow.search_notes'],
      environments: ['production'],
      mcp: { hide_unregistered_tools: false },
    });
  });

  it('an unknown agent key is an error, not a decision', async () => {
    const err = (await new Airlock({ url: t.url, agentKey: 'nope' }).gate({ tool: 'lookup', requester }).catch((e) => e)) as AirlockClientError;
    expect(err).toMatchObject({ kind: 'http', status: 401, code: 'unauthenticated' });
  });

  it('a result is taken once; reporting twice is refused', async () => {
    const outcome = await airlock.gate({ tool: 'lookup', args: { order_id: 'o-3' }, requester });
    await airlock.reportResult(outcome.action, { outcome: 'succeeded', args: outcome.args });
    const err = (await airlock.reportResult(outcome.action, { outcome: 'succeeded', args: outcome.args }).catch((e) => e)) as AirlockClientError;
    expect(err).toMatchObject({ kind: 'http', status: 409, code: 'conflict' });
  });
});

describe('wrapTool', () => {
  const lookups: string[] = [];
  const lookup = async ({ order_id }: { order_id: string }) => {
    lookups.push(order_id);
    return { order_id, state: 'shipped' };
  };

  it('runs the function when allowed and reports its success', async () => {
    const gated = airlock.wrapTool(lookup, { tool: 'lookup', requester, summary: (a) => `look up ${a.order_id}` });
    expect(await gated({ order_id: 'o-10' })).toEqual({ order_id: 'o-10', state: 'shipped' });
    const row = (await t.core.pool.query("SELECT a.status, a.summary FROM actions a JOIN action_payloads p ON p.action_id = a.id WHERE p.args->>'order_id' = 'o-10'")).rows[0];
    expect(row).toEqual({ status: 'succeeded', summary: 'look up o-10' });
  });

  it('never calls the function when denied; the error tells the model why', async () => {
    const fn = async () => 'ran';
    const gated = airlock.wrapTool(fn, { tool: 'never', requester });
    const err = await gated({}).catch((e) => e);
    expect(err).toBeInstanceOf(ActionNotExecutedError);
    expect(err.message).toMatch(/Airlock did not let never run: denied by policy/);
    const quiet = airlock.wrapTool(fn, { tool: 'never', requester, onNotExecuted: (o) => `skipped: ${o.mode}` });
    expect(await quiet({})).toBe('skipped: off');
  });

  it('runs the draft handler, not the function, when constrained to draft_write', async () => {
    const gated = airlock.wrapTool(async () => 'sent', { tool: 'draft_only', requester, modes: { draft_write: async () => 'drafted' } });
    expect(await gated({ to: 'x' })).toBe('drafted');
    expect(await airlock.wrapTool(async () => 'sent', { tool: 'draft_only', requester, onNotExecuted: () => 'nothing' })({})).toBe('nothing');
  });

  it('reports a failure when the function throws, and rethrows', async () => {
    const gated = airlock.wrapTool(
      async () => {
        throw new Error('carrier down');
      },
      { tool: 'lookup', requester },
    );
    await expect(gated({ order_id: 'o-11' })).rejects.toThrow('carrier down');
    const row = (await t.core.pool.query("SELECT a.status FROM actions a JOIN action_payloads p ON p.action_id = a.id WHERE p.args->>'order_id' = 'o-11'")).rows[0];
    expect(row.status).toBe('failed');
  });

  it('never calls the function when Airlock cannot be reached', async () => {
    let ran = false;
    const down = new Airlock({ url: 'http://127.0.0.1:9', agentKey: t.key, retry: { attempts: 2, baseDelayMs: 1 } });
    const gated = down.wrapTool(async () => (ran = true), { tool: 'lookup', requester });
    await expect(gated({})).rejects.toMatchObject({ kind: 'unreachable' });
    expect(ran).toBe(false);
  });
});

describe('callbacks', () => {
  it('verifies the signed callback Airlock sends when a reviewer decides, and refuses it altered or replayed late', async () => {
    const { key, callback_secret } = await t.createAgent('tidy-bot');
    const received: { body: string; signature: string }[] = [];
    const hook = await startStubServer((req, res, body) => {
      received.push({ body, signature: String(req.headers['airlock-signature']) });
      res.writeHead(204).end();
    });
    try {
      const tidy = new Airlock({ url: t.url, agentKey: key });
      const queued = await tidy.submit({ tool: 'notes.write_note', args: { text: 'hi' }, requester, callback_url: `${hook.url}/hooks/airlock` });
      await t.card(queued.id);
      await t.approve(queued.id);
      const { body, signature } = await waitFor(() => received[0], { what: 'the callback' });

      const action = await verifyCallback(body, signature, callback_secret);
      expect(action).toMatchObject({ id: queued.id, status: 'approved' });

      await expect(verifyCallback(body.replace('"approved"', '"denied"'), signature, callback_secret)).rejects.toMatchObject({ kind: 'signature' });
      await expect(verifyCallback(body, signature, 'another-secret')).rejects.toMatchObject({ kind: 'signature' });
      await expect(verifyCallback(body, signature, callback_secret, { now: Date.now() + 10 * 60_000 })).rejects.toThrow(/timestamp is \d+ s away/);
    } finally {
      await hook.close();
    }
  });
});
