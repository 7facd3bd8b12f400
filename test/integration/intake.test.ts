import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, sha256Hex } from '../../src/domain/canonical-json.js';
import { startAirlock, type TestAirlock } from '../support/airlock.js';

let airlock: TestAirlock;
let acme: string;
let globex: string;
/** Another agent of the same tenant as `acme`. */
let ops: string;

const email = {
  tool: 'send_customer_email',
  args: { to: 'jane@example.com', subject: 'Your refund', body: 'TOP-SECRET-BODY', attachments: [{ name: 'a.pdf', content: 'SECRET-ATTACHMENT' }] },
  summary: 'Tell Jane her refund is on its way',
  requester: { id: 'U0SAM', email: 'sam@example.com', display: 'Sam Owner' },
  workflow: 'customer-support',
  environment: 'production',
  session_id: 'sess-1',
  context: { confidence: 0.62 },
};

const post = (auth: string, body: unknown, headers: Record<string, string> = {}) =>
  airlock.app.inject({ method: 'POST', url: '/v1/actions', headers: { authorization: auth, 'content-type': 'application/json', ...headers }, payload: typeof body === 'string' ? body : JSON.stringify(body) });

const count = async (table: string) => Number((await airlock.core.pool.query(`SELECT count(*) FROM ${table}`)).rows[0].count);

beforeAll(async () => {
  airlock = await startAirlock();
  acme = await airlock.agentAuth('acme', 'support-bot');
  globex = await airlock.agentAuth('globex', 'support-bot');
  ops = await airlock.agentAuth('acme', 'ops-bot');
});
afterAll(() => airlock.close());

describe('POST /v1/actions', () => {
  it('queues a high-risk action, stores it pending with a deadline, and records the decision', async () => {
    const res = await post(acme, email);
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ status: 'pending', decision: 'queue_for_approval', mode: 'approval_required', rule: 'tools.send_customer_email.mode' });
    expect(body.policy_version).toMatch(/^[0-9a-f]{12}\.0$/);
    expect(new Date(body.expires_at).getTime() - Date.now()).toBeGreaterThan(14 * 60_000);
    const row = (await airlock.core.pool.query('SELECT * FROM actions WHERE id = $1', [body.id])).rows[0];
    expect(row).toMatchObject({ tenant_id: 'acme', agent: 'support-bot', status: 'pending', reviewer_group: 'support-leads' });
    const events = (await airlock.core.pool.query('SELECT kind, data FROM audit_events WHERE action_id = $1', [body.id])).rows;
    expect(events).toHaveLength(1);
    expect(events[0].data).toMatchObject({ request_id: body.id, tenant: 'acme', agent: 'support-bot', tool: 'send_customer_email', final_decision: 'queue_for_approval', reversibility: 'irreversible', hard_boundary: 'passed', workflow: 'customer-support', session: 'sess-1' });
    // The event carries the stored (redacted) args, once, in the text the chain seals.
    const stored = (await airlock.core.pool.query(
      "SELECT e.data::jsonb -> 'args' = p.args AS same_args, e.data::text AS text, p.args FROM audit_events e JOIN action_payloads p ON p.action_id = e.action_id WHERE e.action_id = $1",
      [body.id],
    )).rows[0];
    expect(stored).toMatchObject({ same_args: true, args: { to: 'jane@example.com', body: '[redacted]' } });
    expect(stored.text.split('"args":')).toHaveLength(2);
    expect(JSON.parse(stored.text)).toEqual(events[0].data);
  });

  it('never stores redacted fields, in the action nor in the audit trail', async () => {
    const res = await post(acme, email);
    const id = res.json().id;
    const stored = JSON.stringify((await airlock.core.pool.query('SELECT a.*, (SELECT json_agg(e) FROM audit_events e WHERE e.action_id = a.id) AS ev FROM actions a WHERE id = $1', [id])).rows[0]);
    expect(stored).not.toContain('TOP-SECRET-BODY');
    expect(stored).not.toContain('SECRET-ATTACHMENT');
    expect(stored).toContain('[redacted]');
    expect(stored).toContain('jane@example.com');
  });

  it('allows, constrains and denies per policy', async () => {
    const allow = (await post(acme, { tool: 'lookup_order', args: { order_id: 'o1' }, requester: { id: 'U1' } })).json();
    expect(allow).toMatchObject({ status: 'decided', decision: 'allow', mode: 'allow', expires_at: null });
    const draft = (await post(acme, { tool: 'draft_reply', args: {}, requester: { id: 'U1' } })).json();
    expect(draft).toMatchObject({ decision: 'constrain', mode: 'draft_write' });
    const big = (await post(acme, { tool: 'issue_refund', args: { amount_cents: 90000, order_id: 'o1' }, requester: { id: 'U1' } })).json();
    expect(big).toMatchObject({ decision: 'deny', rule: 'tools.issue_refund.when[0]' });
    const unknown = (await post(acme, { tool: 'drop_database', args: {}, requester: { id: 'U1' } }));
    expect(unknown.statusCode).toBe(201);
    expect(unknown.json()).toMatchObject({ decision: 'deny', rule: 'hard_boundary.unregistered_tool' });
    const outside = (await post(acme, { tool: 'restart_service', args: {}, requester: { id: 'U1' } })).json();
    expect(outside).toMatchObject({ decision: 'deny', rule: 'hard_boundary.agent_tools' });
  });

  it('returns the same action for a repeated Idempotency-Key and body, and 409 for another body', async () => {
    const first = await post(acme, email, { 'idempotency-key': 'k-1' });
    const again = await post(acme, email, { 'idempotency-key': 'k-1' });
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(first.json().id);
    const before = await count('actions');
    const other = await post(acme, { ...email, summary: 'something else' }, { 'idempotency-key': 'k-1' });
    expect(other.statusCode).toBe(409);
    expect(other.json().error.code).toBe('idempotency_conflict');
    expect(await count('actions')).toBe(before);
  });

  it('creates exactly one action when the same Idempotency-Key races', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => post(acme, email, { 'idempotency-key': 'race-1' })));
    expect(results.map((r) => r.statusCode)).toEqual(Array(8).fill(201));
    expect(new Set(results.map((r) => r.json().id)).size).toBe(1);
    expect(Number((await airlock.core.pool.query("SELECT count(*) FROM actions WHERE idempotency_key = 'race-1'")).rows[0].count)).toBe(1);
  });
});

describe('bad input changes nothing', () => {
  const cases: { name: string; send: () => ReturnType<typeof post>; status: number; code: string; path?: string }[] = [
    { name: 'malformed JSON', send: () => post(acme, '{"tool": '), status: 400, code: 'validation_failed' },
    { name: 'a wrong type', send: () => post(acme, { ...email, args: 'not-an-object' }), status: 400, code: 'validation_failed', path: 'body.args' },
    { name: 'a missing requester', send: () => post(acme, { tool: 'lookup_order', args: {} }), status: 400, code: 'validation_failed', path: 'body.requester' },
    { name: 'an unknown top-level field', send: () => post(acme, { ...email, tenant: 'globex' }), status: 400, code: 'validation_failed' },
    { name: 'a body over 1 MB', send: () => post(acme, { ...email, args: { blob: 'x'.repeat(1_100_000) } }), status: 413, code: 'payload_too_large' },
    { name: 'a NUL character in the arguments', send: () => post(acme, { ...email, args: { ...email.args, to: 'a\u0000b' } }), status: 400, code: 'validation_failed' },
    { name: 'an unpaired UTF-16 surrogate in the summary', send: () => post(acme, '{"tool":"lookup_order","args":{},"summary":"x\\ud800y","requester":{"id":"U1"}}'), status: 400, code: 'validation_failed' },
    { name: 'arguments nested 10,000 deep', send: () => post(acme, `{"tool":"lookup_order","requester":{"id":"U1"},"args":{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}}`), status: 400, code: 'validation_failed' },
    { name: 'no bearer key', send: () => post('', email), status: 401, code: 'unauthenticated' },
    { name: 'an unknown bearer key', send: () => post('Bearer alk_nope', email), status: 401, code: 'unauthenticated' },
  ];
  it.each(cases)('answers $status for $name', async ({ send, status, code, path }) => {
    const before = [await count('actions'), await count('audit_events')];
    const res = await send();
    expect(res.statusCode).toBe(status);
    const body = res.json();
    expect(body.error.code).toBe(code);
    expect(typeof body.error.message).toBe('string');
    expect(Array.isArray(body.error.details)).toBe(true);
    if (path) expect(body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    expect([await count('actions'), await count('audit_events')]).toEqual(before);
  });

  it('keeps text that only looks like an escape, and paired surrogates', async () => {
    const res = await post(acme, { tool: 'lookup_order', args: { note: 'C:\\u0000\\ud800 is text 😀' }, requester: { id: 'U1' } });
    expect(res.statusCode).toBe(201);
    const row = (await airlock.core.pool.query('SELECT args FROM action_payloads WHERE action_id = $1', [res.json().id])).rows[0];
    expect(row.args.note).toBe('C:\\u0000\\ud800 is text 😀');
  });

  it('writes concurrent decisions together, each with its audit event', async () => {
    const good = { tool: 'lookup_order', args: { order_id: 'o1' }, requester: { id: 'U1' }, workflow: 'group-commit' };
    const results = await Promise.all(Array.from({ length: 40 }, () => post(acme, good)));
    expect(results.map((r) => r.statusCode)).toEqual(Array(40).fill(201));
    const { rows } = await airlock.core.pool.query(
      `SELECT count(*)::int AS actions, count(DISTINCT a.xmin::text)::int AS transactions,
              count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.action_id = a.id AND e.kind = 'decision'))::int AS orphans
       FROM actions a WHERE workflow = 'group-commit'`,
    );
    expect(rows[0]).toMatchObject({ actions: 40, orphans: 0 });
    // Group commit: some decisions shared a transaction.
    expect(rows[0].transactions).toBeLessThan(40);
  });

  it('fails only the request the database refuses when it was written together with others', async () => {
    // Stands in for any per-row failure the validation did not foresee.
    await airlock.core.pool.query(`CREATE FUNCTION test_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.workflow = 'poison' THEN RAISE EXCEPTION 'poisoned row'; END IF; RETURN NEW; END $$;
      CREATE TRIGGER test_poison BEFORE INSERT ON actions FOR EACH ROW EXECUTE FUNCTION test_poison()`);
    try {
      const before = await count('actions');
      const good = { tool: 'lookup_order', args: { order_id: 'o1' }, requester: { id: 'U1' }, workflow: 'isolation' };
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => post(acme, i === 30 ? { ...good, workflow: 'poison' } : good)));
      expect(results[30]!.statusCode).toBe(500);
      expect(results[30]!.json().error.code).toBe('internal');
      expect(results.filter((r) => r.statusCode === 201)).toHaveLength(39);
      expect(await count('actions')).toBe(before + 39);
    } finally {
      await airlock.core.pool.query('DROP TRIGGER test_poison ON actions; DROP FUNCTION test_poison()');
    }
  });

  it('answers 403 for an agent whose tenant the policy no longer declares', async () => {
    await airlock.core.pool.query(`WITH a AS (INSERT INTO agents (tenant_id, name, callback_secret) VALUES ('gone', 'bot', 's') RETURNING id)
      INSERT INTO agent_keys (agent_id, key_hash) SELECT id, encode(sha256('alk_gone'::bytea), 'hex') FROM a`);
    const before = await count('actions');
    const res = await post('Bearer alk_gone', email);
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('forbidden');
    expect(await count('actions')).toBe(before);
  });
});

describe('GET /v1/actions/:id', () => {
  it("answers 404 for another tenant's action and for nonsense ids", async () => {
    const id = (await post(acme, email)).json().id;
    const mine = await airlock.app.inject({ method: 'GET', url: `/v1/actions/${id}`, headers: { authorization: acme } });
    expect(mine.statusCode).toBe(200);
    const theirs = await airlock.app.inject({ method: 'GET', url: `/v1/actions/${id}`, headers: { authorization: globex } });
    expect(theirs.statusCode).toBe(404);
    expect(theirs.json().error.code).toBe('not_found');
    const junk = await airlock.app.inject({ method: 'GET', url: '/v1/actions/not-a-uuid', headers: { authorization: acme } });
    expect(junk.statusCode).toBe(404);
  });

  it('holds ?wait until the action leaves pending, woken by the database', async () => {
    const id = (await post(acme, email)).json().id;
    const started = Date.now();
    const waiting = airlock.app.inject({ method: 'GET', url: `/v1/actions/${id}?wait=30`, headers: { authorization: acme } });
    // Let the waiter register (the request is in flight), then change the status from another connection.
    await new Promise((r) => setImmediate(r));
    await airlock.core.pool.query("UPDATE actions SET status = 'denied', decided_at = now() WHERE id = $1", [id]);
    const res = await waiting;
    expect(res.json().status).toBe('denied');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('returns the pending action when ?wait passes without a decision, and refuses wait > 60', async () => {
    const id = (await post(acme, email)).json().id;
    const res = await airlock.app.inject({ method: 'GET', url: `/v1/actions/${id}?wait=1`, headers: { authorization: acme } });
    expect(res.json().status).toBe('pending');
    const tooLong = await airlock.app.inject({ method: 'GET', url: `/v1/actions/${id}?wait=61`, headers: { authorization: acme } });
    expect(tooLong.statusCode).toBe(400);
  });
});

describe('POST /v1/actions/:id/result', () => {
  const report = (auth: string, id: string, body: unknown) =>
    airlock.app.inject({ method: 'POST', url: `/v1/actions/${id}/result`, headers: { authorization: auth, 'content-type': 'application/json' }, payload: JSON.stringify(body) });

  it('records the result once and audits it', async () => {
    const action = (await post(acme, { tool: 'lookup_order', args: { order_id: 'o1' }, requester: { id: 'U1' } })).json();
    const res = await report(acme, action.id, { outcome: 'succeeded', detail: 'found', external_ref: 'ord-1', args: { order_id: 'o1' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'succeeded', result: { outcome: 'succeeded', violation: null } });
    const again = await report(acme, action.id, { outcome: 'failed', args: { order_id: 'o1' } });
    expect(again.statusCode).toBe(409);
    const kinds = (await airlock.core.pool.query('SELECT kind FROM audit_events WHERE action_id = $1 ORDER BY id', [action.id])).rows.map((r) => r.kind);
    expect(kinds).toEqual(['decision', 'result']);
  });

  it('answers 400 for a result whose text cannot be stored, and records nothing', async () => {
    const action = (await post(acme, { tool: 'lookup_order', args: { order_id: 'o1' }, requester: { id: 'U1' } })).json();
    const res = await report(acme, action.id, { outcome: 'succeeded', detail: 'bad\u0000byte', args: { order_id: 'o1' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('validation_failed');
    const row = (await airlock.core.pool.query('SELECT status, result FROM actions WHERE id = $1', [action.id])).rows[0];
    expect(row).toEqual({ status: 'decided', result: null });
  });

  it('records executed arguments that differ from the submitted ones as a violation', async () => {
    const action = (await post(acme, { tool: 'lookup_order', args: { order_id: 'o1' }, requester: { id: 'U1' } })).json();
    const res = await report(acme, action.id, { outcome: 'succeeded', args: { order_id: 'o2' } });
    expect(res.json().result).toMatchObject({ args_check: 'mismatch', violation: expect.stringContaining('order_id') });
  });

  it('refuses a result for a denied or pending action, and for another tenant', async () => {
    const denied = (await post(acme, { tool: 'drop_database', args: {}, requester: { id: 'U1' } })).json();
    expect((await report(acme, denied.id, { outcome: 'succeeded', args: {} })).statusCode).toBe(409);
    const pending = (await post(acme, email)).json();
    expect((await report(acme, pending.id, { outcome: 'succeeded', args: {} })).statusCode).toBe(409);
    const allowed = (await post(acme, { tool: 'lookup_order', args: {}, requester: { id: 'U1' } })).json();
    expect((await report(globex, allowed.id, { outcome: 'succeeded', args: {} })).statusCode).toBe(404);
  });
});

describe('agent claims cannot open the gate', () => {
  it.each(['Production', 'production ', 'prod', ''])('answers 400 to the environment %j, which the tenant does not declare, and writes nothing', async (environment) => {
    const before = await count('actions');
    const res = await post(acme, { ...email, environment });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].path).toBe('body.environment');
    expect(await count('actions')).toBe(before);
  });

  it('still asks a human for an irreversible email the agent says is for staging', async () => {
    expect((await post(acme, { ...email, environment: 'staging' })).json()).toMatchObject({ decision: 'queue_for_approval', status: 'pending' });
  });

  it('denies an environment outside the agent’s own list as a hard boundary', async () => {
    const res = (await post(ops, { tool: 'lookup_order', args: { order_id: 'o1' }, requester: { id: 'U1' }, environment: 'staging' })).json();
    expect(res).toMatchObject({ decision: 'deny', rule: 'hard_boundary.agent_environments' });
  });

  it('answers 400 naming each path of arguments that break the tool’s args_schema, and writes nothing', async () => {
    const before = await count('actions');
    const res = await post(acme, { ...email, args: { to: 'not an email', body: 'x' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.map((d: { path: string }) => d.path).sort()).toEqual(['body.args.subject', 'body.args.to']);
    expect(await count('actions')).toBe(before);
  });
});

describe('agents are isolated from each other', () => {
  it('answers 404 to another agent of the same tenant reading or reporting an action, and the owner then reports it', async () => {
    const opsAuth = ops;
    const action = (await post(acme, { tool: 'lookup_order', args: { order_id: 'o7' }, requester: { id: 'U1' } })).json();
    const read = await airlock.app.inject({ method: 'GET', url: `/v1/actions/${action.id}`, headers: { authorization: opsAuth } });
    expect(read.statusCode).toBe(404);
    const result = { outcome: 'succeeded', args: { order_id: 'o7' } };
    const stolen = await airlock.app.inject({ method: 'POST', url: `/v1/actions/${action.id}/result`, headers: { authorization: opsAuth }, payload: result });
    expect(stolen.statusCode).toBe(404);
    const own = await airlock.app.inject({ method: 'POST', url: `/v1/actions/${action.id}/result`, headers: { authorization: acme }, payload: result });
    expect(own.statusCode).toBe(200);
  });
});

describe('names from outside are looked up safely', () => {
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])('denies the tool %j as unregistered instead of failing', async (tool) => {
    const res = await post(acme, { tool, args: {}, requester: { id: 'U1' } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ decision: 'deny', rule: 'hard_boundary.unregistered_tool' });
  });
});

describe('digests of arguments are keyed', () => {
  it('stores and returns no digest from which a redacted 4-digit value can be guessed', async () => {
    const args = { to: 'jane@example.com', subject: 'PIN reset', body: '4821' };
    const res = await post(acme, { ...email, args }, { 'idempotency-key': 'pin-1' });
    const id = res.json().id;
    const stored = JSON.stringify([
      res.json(),
      (await airlock.core.pool.query('SELECT * FROM actions WHERE id = $1', [id])).rows,
      (await airlock.core.pool.query('SELECT data FROM audit_events WHERE action_id = $1', [id])).rows,
    ]);
    expect(stored).not.toContain('4821');
    // What an attacker with the trail would try: every unkeyed digest of every candidate.
    for (let pin = 0; pin < 10_000; pin++) {
      const guess = { ...args, body: String(pin).padStart(4, '0') };
      expect(stored.includes(sha256Hex(canonicalJson(guess)))).toBe(false);
      expect(stored.includes(sha256Hex(canonicalJson({ ...email, args: guess })))).toBe(false);
    }
  });

  it('checks a result against the submitted arguments, redacted values included', async () => {
    const args = { order_id: 'o9' };
    const honest = (await post(acme, { tool: 'lookup_order', args, requester: { id: 'U1' } })).json();
    const report = (id: string, executed: unknown) =>
      airlock.app.inject({ method: 'POST', url: `/v1/actions/${id}/result`, headers: { authorization: acme }, payload: { outcome: 'succeeded', args: executed } });
    expect((await report(honest.id, args)).json().result).toMatchObject({ args_check: 'match', violation: null });
    const queued = (await post(acme, { ...email, args: { to: 'jane@example.com', subject: 's', body: 'original' }, context: { confidence: 0.9 } })).json();
    // An action still pending takes no result; the redacted check is covered with an approved one in the Slack tests.
    expect((await report(queued.id, { to: 'jane@example.com', subject: 's', body: 'original' })).statusCode).toBe(409);
  });
});

describe('health and metrics', () => {
  it('serves /healthz, /readyz and Prometheus /metrics', async () => {
    expect((await airlock.app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await airlock.app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    const metrics = (await airlock.app.inject('/metrics')).body;
    expect(metrics).toMatch(/airlock_decisions_total\{tenant="acme",tool="[a-z_]+",decision="allow"\} \d+/);
    expect(metrics).toContain('airlock_intake_duration_seconds_bucket');
  });
});
