import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rolloutBucket } from '../../src/domain/rollout-bucket.js';
import { startAirlock, type TestAirlock } from '../support/airlock.js';

let airlock: TestAirlock;
let auth: string;

beforeAll(async () => {
  airlock = await startAirlock({ policyFile: 'test/fixtures/rollout-policy.yml' });
  auth = await airlock.agentAuth('acme', 'bot');
});
afterAll(() => airlock.close());

const submit = async (over: Record<string, unknown>) => {
  const res = await airlock.app.inject({
    method: 'POST',
    url: '/v1/actions',
    headers: { authorization: auth, 'content-type': 'application/json' },
    payload: JSON.stringify({ tool: 'send_email', args: { to: 'jane@example.com', body: 'SECRET-BODY' }, requester: { id: 'U0SAM' }, environment: 'production', ...over }),
  });
  expect(res.statusCode).toBe(201);
  const body = res.json();
  const event = (await airlock.core.pool.query("SELECT data FROM audit_events WHERE action_id = $1 AND kind = 'decision'", [body.id])).rows[0];
  return { body, decision: event.data as Record<string, unknown> };
};

// Requesters inside and outside the 50 % slice of stage 1, found from the buckets themselves.
const bucketOf = (id: string) => rolloutBucket({ tenant: 'acme', tool: 'send_email', stage: 1, key: 'requester.id', value: id });
const ids = Array.from({ length: 100 }, (_, i) => `U0REQ${i}`);
const inside = ids.find((id) => bucketOf(id) < 5000)!;
const outside = ids.find((id) => bucketOf(id) >= 5000)!;

describe('staged rollout at intake', () => {
  it('gives a request in a rollout segment the stage mode, and records the stage in the audit trail', async () => {
    const { body, decision } = await submit({ environment: 'staging' });
    expect(body).toMatchObject({ decision: 'allow', mode: 'allow', status: 'decided', rule: 'tools.send_email.rollout[0]' });
    expect(decision).toMatchObject({ rule: 'tools.send_email.rollout[0]', rollout: { stage: 0 } });
  });

  it('gives a requester in the slice the slice mode, recording the bucket and key name but not the key value', async () => {
    const { body, decision } = await submit({ requester: { id: inside } });
    expect(body).toMatchObject({ decision: 'constrain', mode: 'draft_write', rule: 'tools.send_email.rollout[1]' });
    expect(decision.rollout).toEqual({ stage: 1, bucket: bucketOf(inside), key: 'requester.id' });
    expect(JSON.stringify(decision.rollout)).not.toContain(inside);
  });

  it('leaves a requester outside the slice to the tool mode, the same way on every request', async () => {
    for (let i = 0; i < 3; i++) {
      const { body, decision } = await submit({ requester: { id: outside } });
      expect(body).toMatchObject({ decision: 'queue_for_approval', rule: 'tools.send_email.mode' });
      expect(decision).not.toHaveProperty('rollout');
    }
  });

  it('never lets a stage loosen a when rule that denies', async () => {
    const { body } = await submit({ environment: 'staging', args: { to: 'spy@competitor.example', body: 'x' } });
    expect(body).toMatchObject({ decision: 'deny', rule: 'tools.send_email.when[0]' });
  });

  it('buckets by the session_id a request carries, and leaves out a request without one', async () => {
    const withSession = await submit({ tool: 'draft_reply', args: {}, session_id: 'sess-42' });
    expect(withSession.body).toMatchObject({ decision: 'allow', rule: 'tools.draft_reply.rollout[0]' });
    expect(withSession.decision.rollout).toMatchObject({ stage: 0, key: 'session_id' });
    const without = await submit({ tool: 'draft_reply', args: {} });
    expect(without.body).toMatchObject({ decision: 'constrain', mode: 'observe', rule: 'tools.draft_reply.mode' });
  });
});

describe('review dates on /metrics', () => {
  it('exposes how many controls are past their review date', async () => {
    const res = await airlock.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    // The fixture's staging segment was due for review on 2020-01-01; nothing else has a date.
    expect(res.body).toMatch(/^airlock_policy_controls_overdue 1$/m);
  });
});
