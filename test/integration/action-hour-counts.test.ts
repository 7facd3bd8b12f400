import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedActions } from '../../bench/seed-actions.js';
import { foldActionCounts } from '../../src/infra/postgres/action-counts.js';
import { FIGURES_SQL, TIMELINE_SQL, wholeHours } from '../../src/infra/postgres/evidence-repository.js';
import { migrate } from '../../src/infra/postgres/migrate.js';
import { startAirlock } from '../support/airlock.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { RAW_FIGURES_SQL, RAW_TIMELINE_SQL } from '../support/raw-evidence.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The report reads actions counted per hour (kept by triggers, folded by a
 * sweep) instead of the rows: whatever happens to the actions, in whatever
 * order, its figures must be exactly the ones the rows give.
 */
let db: TestDatabase;
let pool: pg.Pool;
beforeAll(async () => {
  db = await createTestDatabase({ empty: true });
  pool = new pg.Pool({ connectionString: db.url, max: 6 });
});
afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

type Row = Record<string, unknown>;
const sorted = (rows: Row[]) => rows.map((r) => JSON.stringify(r)).sort();

/** Both statements in one snapshot, so that they read the same actions. */
async function both(tenant: string, since: Date, until: Date, tool: string | null, sliceSeconds: number) {
  const c = await pool.connect();
  try {
    await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    const hours = wholeHours(since, until);
    const counted = (await c.query(FIGURES_SQL, [tenant, since, until, tool, hours.from, hours.to])).rows;
    const raw = (await c.query(RAW_FIGURES_SQL, [tenant, since, until, tool, hours.from, hours.to])).rows;
    const countedTimeline = (await c.query(TIMELINE_SQL, [tenant, since, until, tool, hours.from, hours.to, sliceSeconds])).rows;
    const rawTimeline = (await c.query(RAW_TIMELINE_SQL, [tenant, since, until, tool, hours.from, hours.to, sliceSeconds])).rows;
    await c.query('COMMIT');
    return { counted, raw, countedTimeline, rawTimeline };
  } finally {
    c.release();
  }
}

/** Windows of every shape: whole days, starting and ending inside an hour, inside one hour, one tool, another tenant. */
function windows(now: number): [string, Date, Date, string | null, number][] {
  return [
    ['acme', new Date(now - 30 * DAY), new Date(now), null, 86_400],
    ['acme', new Date(now - 7 * DAY - 17 * 60_000 - 123), new Date(now - 2 * HOUR + 59_000), null, 6 * 3600],
    ['acme', new Date(now - 50 * HOUR - 1), new Date(now - 3 * HOUR - 1), 'issue_refund', 3600],
    ['acme', new Date(Math.floor(now / HOUR) * HOUR - 40 * HOUR + 600_000), new Date(Math.floor(now / HOUR) * HOUR - 40 * HOUR + 2_400_000), null, 3600],
    ['acme', new Date(Math.floor(now / HOUR) * HOUR - 20 * DAY), new Date(Math.floor(now / HOUR) * HOUR - 10 * DAY), 'send_customer_email', 86_400],
    ['globex', new Date(now - 30 * DAY), new Date(now), null, 3600],
  ];
}

/** One clock for the whole file: a window must not move between two checks. */
const NOW = Date.now();

async function expectAgreement(label: string) {
  for (const [tenant, since, until, tool, slice] of windows(NOW)) {
    const r = await both(tenant, since, until, tool, slice);
    const where = `${label}: ${tenant} ${since.toISOString()}..${until.toISOString()} ${tool ?? 'all tools'}`;
    expect(r.raw.length, where).toBeGreaterThan(0);
    expect(sorted(r.counted), where).toEqual(sorted(r.raw));
    expect(r.countedTimeline, where).toEqual(r.rawTimeline);
  }
}

const count = async (table: string) => Number((await pool.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);

describe('actions counted per hour', () => {
  it('agree with the rows after an upgrade counts the actions already there', async () => {
    await migrate(pool, { through: '0036' });
    await seedActions(pool, 'acme', 6_000, 0);
    await seedActions(pool, 'globex', 1_000, 6_000);
    await migrate(pool);
    expect(await count('action_count_changes')).toBe(0);
    await expectAgreement('after the upgrade');
  });

  it('agree whatever happens to the actions next, before and after the deltas are folded', async () => {
    await seedActions(pool, 'acme', 2_000, 10_000);
    // Reviewers decide, some approvals escalate to another group first, results arrive (some not matching), an admin withdraws, rows go.
    await pool.query(`UPDATE actions SET reviewer_group = 'security', round = round + 1 WHERE status = 'pending' AND id IN (SELECT id FROM actions WHERE status = 'pending' ORDER BY id LIMIT 40)`);
    await pool.query(`UPDATE actions SET status = 'approved', decided_at = created_at + interval '7 minutes' WHERE status = 'pending' AND id IN (SELECT id FROM actions WHERE status = 'pending' ORDER BY id LIMIT 60)`);
    await pool.query(`UPDATE actions SET status = 'succeeded', result = '{"outcome":"succeeded","argsCheck":"mismatch"}' WHERE status = 'approved' AND id IN (SELECT id FROM actions WHERE status = 'approved' ORDER BY id LIMIT 30)`);
    await pool.query(`UPDATE actions SET status = 'denied', decision = 'deny', mode = 'off', rule = 'overrides.deny_tool', decided_at = now() WHERE status = 'pending'`);
    await pool.query(`UPDATE actions SET rule = 'overrides.incident', decision = 'fallback', mode = 'observe' WHERE tool = 'deploy_service' AND status = 'expired'`);
    await pool.query(`UPDATE actions SET created_at = created_at - interval '90 minutes' WHERE id IN (SELECT id FROM actions ORDER BY id LIMIT 25)`);
    await pool.query(`UPDATE actions SET decided_at = decided_at + interval '1 minute' WHERE status = 'denied' AND decision = 'queue_for_approval'`);
    // Actions on every edge of every window: a millisecond before and at its start and end, and of the whole hours inside it.
    const edges = windows(NOW).flatMap(([tenant, since, until, tool]) => {
      const hours = wholeHours(since, until);
      return [since, until, hours.from, hours.to].flatMap((t) => [t.getTime() - 1, t.getTime()]).map((at) => ({ tenant, tool, at }));
    });
    // The seed names each action by its index in request_hash (md5 of it).
    const first = 50_000;
    for (const [i, e] of edges.entries()) {
      await seedActions(pool, e.tenant, 1, first + i);
      await pool.query(`UPDATE actions SET created_at = $2, tool = COALESCE($3, tool) WHERE request_hash = md5($1::text)`, [first + i, new Date(e.at), e.tool]);
    }
    // Only bookkeeping: no delta for it.
    const before = await count('action_count_changes');
    await pool.query(`UPDATE actions SET latency_ms = 3.5 WHERE tenant_id = 'acme'`);
    expect(await count('action_count_changes')).toBe(before);
    await pool.query(`DELETE FROM action_payloads WHERE action_id IN (SELECT id FROM actions WHERE tenant_id = 'globex' ORDER BY id LIMIT 10)`);
    await pool.query(`DELETE FROM actions WHERE id IN (SELECT id FROM actions WHERE tenant_id = 'globex' ORDER BY id LIMIT 10)`);
    expect(await count('action_count_changes')).toBeGreaterThan(0);
    await expectAgreement('with deltas not folded');

    expect(await foldActionCounts(pool)).toBeGreaterThan(0);
    expect(await count('action_count_changes')).toBe(0);
    await expectAgreement('after the fold');
    expect(await foldActionCounts(pool)).toBe(0);
  });

  it('agree when actions are written while another process folds', async () => {
    const writes = Array.from({ length: 8 }, (_, i) => seedActions(pool, i % 2 ? 'acme' : 'globex', 500, 20_000 + i * 500));
    let folding = true;
    const folds = (async () => {
      let n = 0;
      while (folding || n === 0) n += (await foldActionCounts(pool)) ?? 0;
      return n;
    })();
    await Promise.all(writes);
    folding = false;
    await folds;
    await expectAgreement('after concurrent writes and folds');
    await foldActionCounts(pool);
    await expectAgreement('folded');
  });

  it('are folded by a running worker within seconds of a decision', async () => {
    const airlock = await startAirlock();
    try {
      const auth = await airlock.agentAuth('acme', 'support-bot');
      const sent = await airlock.app.inject({
        method: 'POST',
        url: '/v1/actions',
        headers: { authorization: auth, 'content-type': 'application/json' },
        payload: JSON.stringify({ tool: 'lookup_order', args: { order_id: 'o-1' }, requester: { id: 'U0SAM' }, environment: 'production', context: {} }),
      });
      expect(sent.statusCode).toBe(201);
      const q = (sql: string) => airlock.core.pool.query(sql).then((r) => r.rows);
      await waitFor(async () => (await q('SELECT count(*)::int AS n FROM action_count_changes'))[0].n === 0 && (await q('SELECT sum(n)::int AS n FROM action_hour_counts'))[0].n === 1, { timeoutMs: 20_000, intervalMs: 200, what: 'the worker to fold the decision into the hourly counts' });
      expect(await q('SELECT tenant_id, tool, status, decision, n::int FROM action_hour_counts')).toEqual([{ tenant_id: 'acme', tool: 'lookup_order', status: 'decided', decision: 'allow', n: 1 }]);
    } finally {
      await airlock.close();
    }
  });
});
