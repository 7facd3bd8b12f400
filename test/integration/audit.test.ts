import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAirlock, type TestAirlock } from '../support/airlock.js';
import { runCli } from '../support/run-cli.js';
import { waitFor } from '../support/wait-for.js';

let airlock: TestAirlock;
let acme: string;

const cli = (...args: string[]) => runCli(args, { DATABASE_URL: airlock.db.url, POLICY_FILE: 'examples/policy.yml' });

const submit = (tool: string, args: Record<string, unknown> = {}) =>
  airlock.app.inject({ method: 'POST', url: '/v1/actions', headers: { authorization: acme }, payload: { tool, args: tool === 'send_customer_email' ? { body: 'SECRET-BODY', ...args } : args, requester: { id: 'U1' } } });

const unsealed = async () => Number((await airlock.core.pool.query('SELECT count(*) FROM audit_events WHERE seq IS NULL')).rows[0].count);

beforeAll(async () => {
  airlock = await startAirlock();
  acme = await airlock.agentAuth('acme', 'support-bot');
});
afterAll(() => airlock.close());

describe('audit trail', () => {
  it('seals concurrent decisions of one tenant into one gap-free chain', async () => {
    await Promise.all(Array.from({ length: 60 }, (_, i) => submit(i % 2 ? 'lookup_order' : 'send_customer_email', { to: 'a@b.c' })));
    await waitFor(async () => (await unsealed()) === 0, { what: 'sealing' });
    const { rows } = await airlock.core.pool.query("SELECT seq FROM audit_events WHERE tenant_id = 'acme' ORDER BY seq");
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
    const verified = await cli('audit', 'verify', '--tenant', 'acme');
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, checked: rows.length });
  });

  it('refuses updates and deletes of audit rows', async () => {
    await expect(airlock.core.pool.query("UPDATE audit_events SET data = '{}' WHERE seq = 1")).rejects.toThrow(/append-only/);
    await expect(airlock.core.pool.query('DELETE FROM audit_events WHERE seq = 1')).rejects.toThrow(/append-only/);
  });

  it('exports the tenant as JSON Lines without redacted values', async () => {
    const out = await cli('audit', 'export', '--tenant', 'acme');
    expect(out.code).toBe(0);
    const lines = out.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThan(10);
    expect(lines[0]).toMatchObject({ seq: 1, tenant: 'acme', kind: 'decision' });
    expect(out.stdout).toContain('send_customer_email');
    expect(out.stdout.includes('SECRET-BODY')).toBe(false);
    expect(lines.every((l) => l.tenant === 'acme')).toBe(true);
  });

  it('`audit verify` fails when a row was altered, and when one was removed', async () => {
    await waitFor(async () => (await unsealed()) === 0, { what: 'sealing' });
    const tamper = async (sql: string) => {
      const c = await airlock.core.pool.connect();
      try {
        // An attacker with superuser rights can bypass the append-only trigger; the chain must still tell.
        await c.query('SET session_replication_role = replica');
        await c.query(sql);
      } finally {
        await c.query('SET session_replication_role = DEFAULT');
        c.release();
      }
    };
    await tamper("UPDATE audit_events SET data = jsonb_set(data, '{final_decision}', '\"tampered\"') WHERE tenant_id = 'acme' AND seq = 3");
    const altered = await cli('audit', 'verify', '--tenant', 'acme');
    expect(altered.code).toBe(1);
    expect(altered.stderr).toContain('seq 3');
    expect(altered.stderr).toContain('altered');

    await tamper("DELETE FROM audit_events WHERE tenant_id = 'acme' AND seq = 3");
    const removed = await cli('audit', 'verify', '--tenant', 'acme');
    expect(removed.code).toBe(1);
    expect(removed.stderr).toMatch(/expected seq 3/);
  });

  it('detects removal of the newest events', async () => {
    const db = await startAirlock();
    try {
      const auth = await db.agentAuth('globex', 'support-bot');
      for (let i = 0; i < 3; i++) await db.app.inject({ method: 'POST', url: '/v1/actions', headers: { authorization: auth }, payload: { tool: 'lookup_order', args: {}, requester: { id: 'U1' } } });
      await db.core.audit.seal('globex');
      expect((await db.core.audit.verify('globex')).ok).toBe(true);
      const c = await db.core.pool.connect();
      await c.query('SET session_replication_role = replica');
      await c.query("DELETE FROM audit_events WHERE tenant_id = 'globex' AND seq = 3");
      c.release();
      const v = await db.core.audit.verify('globex');
      expect(v.ok).toBe(false);
      expect(v.problems.join()).toContain('events removed');
    } finally {
      await db.close();
    }
  });
});
