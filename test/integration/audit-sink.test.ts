import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditSinkReceiver, type SinkEvent } from '../fakes/audit-sink-receiver.js';
import { startAirlockProcess, startRefused, type AirlockProcess } from '../support/airlock-process.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { sampleValue } from '../support/prometheus-text.js';
import { runCli } from '../support/run-cli.js';
import { waitFor } from '../support/wait-for.js';

const SINK_SECRET = 'audit-sink-test-secret-0123456789abcdef';
const POLICY_FILE = 'examples/policy.yml';
const TENANTS = ['acme', 'globex'];

/** Events written straight into the trail, as many decisions would write them; the server's sealer seals them. */
async function writeEvents(db: TestDatabase, tenant: string, n: number): Promise<void> {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    await c.query(
      `INSERT INTO audit_events (tenant_id, kind, action_id, at, data)
       SELECT $1, 'decision', gen_random_uuid(), clock_timestamp(), json_build_object('n', i, 'tool', 'lookup_order', 'summary', 'line one' || chr(10) || 'line "two"')
       FROM generate_series(1, $2::int) AS i`,
      [tenant, n],
    );
  } finally {
    await c.end();
  }
}

/** Events in the trail per tenant, sealed or not. */
async function eventCounts(db: TestDatabase): Promise<Record<string, number>> {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    const { rows } = await c.query<{ tenant_id: string; n: number }>('SELECT tenant_id, count(*)::int AS n FROM audit_events GROUP BY tenant_id');
    return Object.fromEntries(rows.map((r) => [r.tenant_id, r.n]));
  } finally {
    await c.end();
  }
}

const linesOf = (output: string, msg: string) => output.split('\n').filter((l) => l.includes(`"msg":"${msg}`));

describe('audit sink', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  });

  it('delivers every event once after dedupe, in chain order, through an outage and a server killed mid-batch', { timeout: 400_000 }, async () => {
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    const receiver = await AuditSinkReceiver.start(SINK_SECRET);
    cleanups.push(() => receiver.close());
    await receiver.refuse();

    const env = {
      DATABASE_URL: db.url,
      POLICY_FILE,
      AUDIT_SINK_URL: receiver.url,
      AUDIT_SINK_SECRET: SINK_SECRET,
      AIRLOCK_AUDIT_SINK_MAX_BACKOFF: '1s',
    };
    // More than one batch per tenant, and real decisions among them.
    await writeEvents(db, 'acme', 1200);
    await writeEvents(db, 'globex', 300);
    let server: AirlockProcess = await startAirlockProcess(env);
    cleanups.push(() => server.kill());
    /**
     * Waits for `check`; a timeout shows the end of the server's log. Deadlines
     * are generous: sealing waits for every older transaction of the Postgres
     * server to end, and other tests share it.
     */
    const until = (check: () => boolean, what: string, timeoutMs = 60_000) =>
      waitFor(check, { timeoutMs, what, giveUp: server.giveUp }).catch((err: Error) => {
        throw new Error(`${err.message}\n${server.output().slice(-4_000)}`);
      });
    const key = JSON.parse((await runCli(['agent', 'create', '--tenant', 'acme', '--name', 'support-bot'], { DATABASE_URL: db.url, POLICY_FILE })).stdout).key as string;
    const decided: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${server.base}/v1/actions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ tool: 'lookup_order', args: { order_id: `o-${i}` }, requester: { id: 'U0SAM' } }),
      });
      expect(res.status).toBe(201);
      decided.push(((await res.json()) as { id: string }).id);
    }

    // The sink refuses connections, then answers 500: one line when it goes down, none per retry.
    await until(() => linesOf(server.output(), 'audit sink unreachable').length > 0, 'the outage logged');
    await receiver.answer('fail');
    await until(() => receiver.attempts >= 3, 'retries against a failing sink');
    expect(receiver.events.size).toBe(0);
    expect(linesOf(server.output(), 'audit sink unreachable')).toHaveLength(1);

    // The sink comes back: everything written so far arrives, and the recovery is logged once.
    await receiver.answer('ok');
    const first = await eventCounts(db);
    await until(() => TENANTS.every((t) => receiver.seqs(t).length === first[t]), 'the first events delivered');
    await until(() => linesOf(server.output(), 'audit sink reachable again').length === 1, 'the recovery logged');

    // The receiver takes the next batch and never answers; the server dies meanwhile.
    await receiver.answer('hold');
    await writeEvents(db, 'acme', 1200);
    await until(() => receiver.isHolding(), 'a batch held open');
    await server.kill();
    receiver.releaseHeld();
    // Written while no Airlock runs: sealed and shipped by the next one.
    await writeEvents(db, 'globex', 100);
    expect(server.output()).not.toContain(SINK_SECRET);

    server = await startAirlockProcess(env);
    const total = await eventCounts(db);
    await until(() => TENANTS.every((t) => receiver.seqs(t).length === total[t]), 'every event delivered', 120_000);

    expect(receiver.badSignatures).toBe(0);
    expect(receiver.orderViolations).toEqual([]);
    // The held batch was not acknowledged, so it came again: at least once, never lost.
    expect(receiver.duplicates()).toBeGreaterThan(0);
    for (const tenant of TENANTS) {
      // No gap: 1..n, each sequence number once after dedupe.
      expect(receiver.seqs(tenant)).toEqual(Array.from({ length: total[tenant]! }, (_, i) => i + 1));
      const verify = await runCli(['audit', 'verify', '--tenant', tenant], { DATABASE_URL: db.url, POLICY_FILE });
      expect(verify.code, verify.stderr).toBe(0);
      expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, checked: total[tenant], unsealed: 0 });
      // Each event as `audit export` prints it.
      const exported = await runCli(['audit', 'export', '--tenant', tenant], { DATABASE_URL: db.url, POLICY_FILE });
      const lines = exported.stdout.trim().split('\n').map((l) => JSON.parse(l) as SinkEvent);
      expect(lines).toHaveLength(total[tenant]!);
      for (const line of lines) expect(receiver.events.get(`${tenant}/${line.seq}`)).toEqual(line);
    }
    const shippedActions = new Set([...receiver.events.values()].map((e) => e.action_id));
    expect(decided.filter((id) => shippedActions.has(id))).toEqual(decided);
    expect(server.output()).not.toContain(SINK_SECRET);
  });

  it('shows on /metrics how many sealed events wait for the sink, per tenant: they pile up while it is down and fall to 0 when it takes them', { timeout: 120_000 }, async () => {
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    const receiver = await AuditSinkReceiver.start(SINK_SECRET);
    cleanups.push(() => receiver.close());
    await receiver.answer('fail');
    const server = await startAirlockProcess({ DATABASE_URL: db.url, POLICY_FILE, AUDIT_SINK_URL: receiver.url, AUDIT_SINK_SECRET: SINK_SECRET, AIRLOCK_AUDIT_SINK_MAX_BACKOFF: '1s' });
    cleanups.push(() => server.kill());
    // Two declared tenants, and one the policy does not declare, which is labelled other.
    await writeEvents(db, 'acme', 40);
    await writeEvents(db, 'globex', 7);
    await writeEvents(db, 'initech', 3);
    const lag = async () => {
      const text = await (await fetch(`${server.base}/metrics`)).text();
      return Object.fromEntries(['acme', 'globex', 'other'].map((tenant) => [tenant, sampleValue(text, 'airlock_audit_sink_lag_events', { tenant })]));
    };
    const until = (check: (l: Record<string, number | undefined>) => boolean, what: string) =>
      waitFor(async () => check(await lag()), { timeoutMs: 60_000, what, giveUp: server.giveUp }).catch(async (err: Error) => {
        throw new Error(`${err.message}: ${JSON.stringify(await lag())}\n${server.output().slice(-4_000)}`);
      });

    // Every event sealed, none acknowledged: the sink answers 500 to each attempt.
    const written = await eventCounts(db);
    await until((l) => l.acme === written.acme && l.globex === written.globex && l.other === written.initech, 'the lag equal to every event written');
    await waitFor(() => receiver.attempts >= 2, { what: 'attempts against the failing sink', giveUp: server.giveUp });
    expect(receiver.events.size).toBe(0);

    await receiver.answer('ok');
    await until((l) => l.acme === 0 && l.globex === 0 && l.other === 0, 'the lag back to 0');
    expect(TENANTS.every((t) => receiver.seqs(t).length === written[t])).toBe(true);
  });

  it('refuses to start with a sink URL that is neither https nor on a loopback host', { timeout: 60_000 }, async () => {
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    const refused = await startRefused({ DATABASE_URL: db.url, POLICY_FILE, AUDIT_SINK_URL: 'http://siem.example.com/airlock', AUDIT_SINK_SECRET: SINK_SECRET });
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/AUDIT_SINK_URL: must be https/);
    expect(refused.output).not.toContain(SINK_SECRET);
  });
});
