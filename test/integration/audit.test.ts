import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAirlock, type TestAirlock } from '../support/airlock.js';
import { tamper } from '../support/audit-chain.js';
import { runCli } from '../support/run-cli.js';
import { waitFor } from '../support/wait-for.js';

let airlock: TestAirlock;
let acme: string;

const cli = (...args: string[]) => runCli(args, { DATABASE_URL: airlock.db.url, POLICY_FILE: 'examples/policy.yml' });

const submit = (tool: string, args: Record<string, unknown> = {}, on: TestAirlock = airlock, auth = acme) =>
  on.app.inject({ method: 'POST', url: '/v1/actions', headers: { authorization: auth }, payload: { tool, args: tool === 'send_customer_email' ? { body: 'SECRET-BODY', ...args } : args, requester: { id: 'U1' } } });

/** Events past their tenant's sealing watermark. */
const unsealed = async (on: TestAirlock = airlock) =>
  Number((await on.core.pool.query(`SELECT count(*) FROM audit_events e LEFT JOIN audit_chain_heads h ON h.tenant_id = e.tenant_id
    WHERE (e.xid, e.id) > (COALESCE(h.sealed_xid, '0'::xid8), COALESCE(h.sealed_id, 0))`)).rows[0].count);

/** The id of the tenant's event at chain position `seq`. */
const eventAt = async (on: TestAirlock, tenant: string, seq: number) =>
  (await on.core.pool.query(
    `SELECT u.id FROM audit_blocks b CROSS JOIN LATERAL unnest(b.event_ids) WITH ORDINALITY AS u(id, pos)
     WHERE b.tenant_id = $1 AND b.first_seq + u.pos - 1 = $2`,
    [tenant, seq],
  )).rows[0].id as string;


beforeAll(async () => {
  airlock = await startAirlock();
  acme = await airlock.agentAuth('acme', 'support-bot');
});
afterAll(() => airlock.close());

describe('audit trail', () => {
  it('seals concurrent decisions of one tenant into one gap-free chain', async () => {
    await Promise.all(Array.from({ length: 60 }, (_, i) => submit(i % 2 ? 'lookup_order' : 'send_customer_email', { to: 'a@b.c', subject: 's' })));
    await waitFor(async () => (await unsealed()) === 0, { what: 'sealing' });
    const total = Number((await airlock.core.pool.query("SELECT count(*) FROM audit_events WHERE tenant_id = 'acme'")).rows[0].count);
    const out = await cli('audit', 'export', '--tenant', 'acme');
    const lines = out.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => i + 1));
    expect(new Set(lines.map((l) => l.id)).size).toBe(total);
    const verified = await cli('audit', 'verify', '--tenant', 'acme');
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, checked: total, unsealed: 0 });
  });

  it('seals an event whose transaction commits after younger events were sealed', async () => {
    const late = await airlock.core.pool.connect();
    try {
      await late.query('BEGIN');
      await late.query("INSERT INTO audit_events (tenant_id, kind, at, data) VALUES ('acme', 'admin', now(), '{\"late\": true}')");
      // Younger transactions commit and are sealed around it…
      for (let i = 0; i < 3; i++) await submit('lookup_order');
      await airlock.core.audit.seal('acme');
      await late.query('COMMIT');
    } finally {
      late.release();
    }
    // …and it still enters the chain, with them, once it has committed.
    await waitFor(async () => (await unsealed()) === 0, { what: 'sealing' });
    const sealed = await airlock.core.pool.query(
      "SELECT count(*)::int AS n FROM audit_blocks b, unnest(b.event_ids) AS u(id) JOIN audit_events e ON e.id = u.id WHERE b.tenant_id = 'acme' AND e.data->>'late' = 'true'",
    );
    expect(sealed.rows[0].n).toBe(1);
    expect(await airlock.core.audit.verify('acme')).toMatchObject({ ok: true, unsealed: 0 });
  });

  it('refuses updates, deletes and truncation of audit rows and blocks', async () => {
    await expect(airlock.core.pool.query("UPDATE audit_events SET data = '{}' WHERE tenant_id = 'acme'")).rejects.toThrow(/append-only/);
    await expect(airlock.core.pool.query("DELETE FROM audit_events WHERE tenant_id = 'acme'")).rejects.toThrow(/append-only/);
    await expect(airlock.core.pool.query("UPDATE audit_blocks SET hash = 'x' WHERE tenant_id = 'acme'")).rejects.toThrow(/append-only/);
    await expect(airlock.core.pool.query("DELETE FROM audit_blocks WHERE tenant_id = 'acme'")).rejects.toThrow(/append-only/);
    await expect(airlock.core.pool.query('TRUNCATE audit_events')).rejects.toThrow(/append-only/);
    await expect(airlock.core.pool.query('TRUNCATE audit_blocks')).rejects.toThrow(/append-only/);
  });

  it('exports the tenant as JSON Lines without redacted values', async () => {
    const out = await cli('audit', 'export', '--tenant', 'acme');
    expect(out.code).toBe(0);
    const lines = out.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThan(10);
    // The first event is the agent key's creation (agent_key), then the decisions.
    expect(lines[0]).toMatchObject({ seq: 1, block: 1, tenant: 'acme', kind: 'agent_key' });
    expect(lines[1]).toMatchObject({ seq: 2, tenant: 'acme', kind: 'decision' });
    expect(lines[0].hash).toMatch(/^[0-9a-f]{64}$/);
    expect(out.stdout).toContain('send_customer_email');
    expect(out.stdout.includes('SECRET-BODY')).toBe(false);
    expect(lines.every((l) => l.tenant === 'acme')).toBe(true);
  });

  it('`audit verify` fails when a row was altered, and when one was removed', async () => {
    await waitFor(async () => (await unsealed()) === 0, { what: 'sealing' });
    const third = await eventAt(airlock, 'acme', 3);
    await tamper(airlock.core.pool, "UPDATE audit_events SET data = jsonb_set(data::jsonb, '{final_decision}', '\"tampered\"')::json WHERE id = $1", [third]);
    const altered = await cli('audit', 'verify', '--tenant', 'acme');
    expect(altered.code).toBe(1);
    expect(altered.stderr).toContain('seq 3');
    expect(altered.stderr).toContain('altered');

    await tamper(airlock.core.pool, 'DELETE FROM audit_events WHERE id = $1', [third]);
    const removed = await cli('audit', 'verify', '--tenant', 'acme');
    expect(removed.code).toBe(1);
    expect(removed.stderr).toMatch(/seq 3\): missing \(events removed\)/);
  });
});

describe('audit chain tampering on a fresh tenant', () => {
  let db: TestAirlock;
  let auth: string;
  beforeAll(async () => {
    db = await startAirlock();
    auth = await db.agentAuth('globex', 'support-bot');
    // The key's agent_key event is sealed first, alone in block 1; each round then seals into a block of its own.
    await waitFor(
      async () => {
        await db.core.audit.seal('globex');
        return (await db.core.audit.verify('globex')).checked === 1;
      },
      { what: 'the agent_key event sealed' },
    );
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 3; i++) await submit('lookup_order', {}, db, auth);
      // A seal waits for every older transaction in the cluster (other test files' too) to end.
      await waitFor(
        async () => {
          await db.core.audit.seal('globex');
          // +1: the agent_key event of the key agentAuth created.
          return (await db.core.audit.verify('globex')).checked === 3 * (round + 1) + 1;
        },
        { what: `the events of round ${round} sealed` },
      );
    }
    expect(await db.core.audit.verify('globex')).toMatchObject({ ok: true, checked: 10 });
  });
  afterAll(() => db.close());

  it('detects an altered event whose recorded hash was rewritten to match', async () => {
    // seq 3: the second event of block 2 (block 1 holds the agent_key event).
    const id = await eventAt(db, 'globex', 3);
    await tamper(db.core.pool, "UPDATE audit_events SET data = jsonb_set(data::jsonb, '{tool}', '\"forged\"')::json WHERE id = $1", [id]);
    await tamper(db.core.pool, `UPDATE audit_blocks b SET event_hashes[2] = airlock_audit_event_hash(e) FROM audit_events e
      WHERE b.tenant_id = 'globex' AND b.block = 2 AND e.id = $1`, [id]);
    const v = await db.core.audit.verify('globex');
    expect(v.ok).toBe(false);
    expect(v.problems.join('\n')).toContain('block 2: its list of events does not match its hash (altered)');
  });

  it('detects removal of the newest block', async () => {
    const newest = Number((await db.core.pool.query("SELECT max(block) AS b FROM audit_blocks WHERE tenant_id = 'globex'")).rows[0].b);
    expect(newest).toBeGreaterThanOrEqual(3);
    await tamper(db.core.pool, "DELETE FROM audit_blocks WHERE tenant_id = 'globex' AND block = $1", [newest]);
    const v = await db.core.audit.verify('globex');
    expect(v.ok).toBe(false);
    expect(v.problems.join('\n')).toContain(`chain head says block ${newest}`);
  });

  it('detects removal of a block in the middle', async () => {
    await tamper(db.core.pool, "DELETE FROM audit_blocks WHERE tenant_id = 'globex' AND block = 2");
    const v = await db.core.audit.verify('globex');
    expect(v.problems.join('\n')).toContain('block 2 missing (blocks removed)');
  });
});
