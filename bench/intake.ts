import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import pg from 'pg';
import { BENCH_SECRET, freshDatabase, machine, median, startServer, writeSection } from './lib.js';
import { makeCreateAgent } from '../src/usecases/create-agent.js';
import { PgAgentStore } from '../src/infra/postgres/agent-repository.js';
import { FilePolicySource } from '../src/policy/file-policy-source.js';
import { PgAuditLog } from '../src/infra/postgres/audit-log.js';

/**
 * npm run bench:intake — decisions/s and latency of POST /v1/actions at 32
 * connections against a real server process, each decision durably stored
 * with its audit event; in the same run, the raw rate of the same two inserts
 * done directly with `pg` (the physical limit on this machine).
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 32;

const ACTION_SQL = `INSERT INTO actions (id, tenant_id, agent, tool, status, decision, mode, reasons, rule, hard_boundary, policy_version,
  args, args_sha256, requester, environment, context, risk, effects, created_at, decided_at, request_hash)
  VALUES ($1, 'acme', 'support-bot', 'lookup_order', 'decided', 'allow', 'allow', '["r"]', 'tools.lookup_order.mode', 'passed', 'v.0',
  '{"order_id":"o1"}', 'h', '{"id":"U1"}', 'production', '{}', 'low', '[]', now(), now(), 'h')`;
const AUDIT_SQL = `INSERT INTO audit_events (tenant_id, kind, action_id, at, data) VALUES ('acme', 'decision', $1, now(), $2)`;

/** 32 clients, each BEGIN; INSERT action; INSERT audit event; COMMIT, as fast as possible. */
async function rawInsertRate(url: string): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: CONNECTIONS });
  const auditData = JSON.stringify({ request_id: 'x', tenant: 'acme', tool: 'lookup_order', decision: 'allow', reasons: ['r'], args: { order_id: 'o1' } });
  let done = 0;
  const until = Date.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      const c = await pool.connect();
      while (Date.now() < until) {
        const id = randomUUID();
        await c.query('BEGIN');
        await c.query(ACTION_SQL, [id]);
        await c.query(AUDIT_SQL, [id, auditData]);
        await c.query('COMMIT');
        done++;
      }
      c.release();
    }),
  );
  await pool.end();
  return done / SECONDS;
}

const unsealedCount = async (pool: pg.Pool) =>
  Number((await pool.query(`SELECT count(*) FROM audit_events e LEFT JOIN audit_chain_heads h ON h.tenant_id = e.tenant_id
    WHERE (e.xid, e.id) > (COALESCE(h.sealed_xid, '0'::xid8), COALESCE(h.sealed_id, 0))`)).rows[0].count);

async function cannon(base: string, auth: string, body: unknown, seconds = SECONDS) {
  const result = await autocannon({
    url: `${base}/v1/actions`,
    method: 'POST',
    connections: CONNECTIONS,
    duration: seconds,
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`non-2xx: ${result.non2xx}, errors: ${result.errors}`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

async function main() {
  const rows: { raw: number; allow: Awaited<ReturnType<typeof cannon>>; deny: Awaited<ReturnType<typeof cannon>>; behind: number; catchUpMs: number; chained: number }[] = [];
  for (let run = 1; run <= RUNS; run++) {
    const db = await freshDatabase('intake');
    const raw = await rawInsertRate(db.url);
    const server = await startServer({ DATABASE_URL: db.url, POLICY_FILE: 'examples/policy.yml' });
    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    try {
      const policy = await FilePolicySource.open('examples/policy.yml');
      const create = makeCreateAgent({ agents: new PgAgentStore(pool), policy });
      const support = `Bearer ${(await create('acme', 'support-bot')).key}`;
      const ops = `Bearer ${(await create('acme', 'ops-bot')).key}`;
      // Warm-up (not counted): JIT, connection pool and prepared statements, for both measured runs alike.
      await cannon(server.base, support, { tool: 'lookup_order', args: { order_id: 'w' }, requester: { id: 'U1' }, workflow: 'warmup' }, 3);
      const allow = await cannon(server.base, support, { tool: 'lookup_order', args: { order_id: 'o1' }, requester: { id: 'U1' }, workflow: 'bench' });
      const deny = await cannon(server.base, ops, { tool: 'grant_admin', args: { user: 'mallory' }, requester: { id: 'U1' }, workflow: 'bench' });
      // Every stored decision has its audit event (one statement wrote both).
      const orphans = Number((await pool.query(
        "SELECT count(*) FROM actions a WHERE workflow = 'bench' AND NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.action_id = a.id AND e.kind = 'decision')",
      )).rows[0].count);
      if (orphans > 0) throw new Error(`${orphans} actions without their audit event`);
      // Sealing keeps up: how far behind the chain is when the load stops, and that it then verifies.
      const behind = await unsealedCount(pool);
      const stopped = Date.now();
      while ((await unsealedCount(pool)) > 0) {
        if (Date.now() - stopped > 30_000) throw new Error('audit sealing did not catch up within 30 s');
        await new Promise((r) => setTimeout(r, 20));
      }
      const catchUpMs = Date.now() - stopped;
      const verified = await new PgAuditLog(pool, BENCH_SECRET).verify('acme');
      if (!verified.ok) throw new Error(`audit verify failed: ${verified.problems.slice(0, 3).join('; ')}`);
      rows.push({ raw, allow, deny, behind, catchUpMs, chained: verified.checked });
      console.log(`run ${run}: raw ${raw.toFixed(0)}/s, allow ${allow.rps.toFixed(0)}/s p50 ${allow.p50} p99 ${allow.p99}, deny ${deny.rps.toFixed(0)}/s p50 ${deny.p50} p99 ${deny.p99}; unsealed at end ${behind}, sealed ${catchUpMs} ms later, ${verified.checked} events verified`);
    } finally {
      await pool.end();
      await server.stop();
      await db.drop();
    }
  }
  const raw = median(rows.map((r) => r.raw));
  const fmt = (k: 'allow' | 'deny') => {
    const rps = median(rows.map((r) => r[k].rps));
    return `| ${k} | ${rps.toFixed(0)} | ${(rps / raw * 100).toFixed(0)}% | ${median(rows.map((r) => r[k].p50))} | ${median(rows.map((r) => r[k].p99))} |`;
  };
  await writeSection(
    'intake',
    `## Intake: \`npm run bench:intake\`

Machine: ${machine()}; Postgres 15 and Redis on the same machine. ${RUNS} runs of ${SECONDS} s each, each on a fresh database, medians shown.
autocannon, ${CONNECTIONS} connections, against \`npm start\` (one process, role all), after a 3 s warm-up. Each decision is durably stored with its audit event (the response is sent after the commit), and sealed into the tenant's hash chain right after (all load on one tenant).
Baseline, same run: ${CONNECTIONS} \`pg\` clients doing \`BEGIN; INSERT action; INSERT audit event; COMMIT\` directly, one transaction per decision: **${raw.toFixed(0)} tx/s**.
Airlock can exceed it because it group-commits: decisions that arrive while a write is in flight are written together in one statement and one commit.

| decision | decisions/s | of raw | p50 ms | p99 ms |
|---|---|---|---|---|
${fmt('allow')}
${fmt('deny')}

Sealing keeps up: when the load stopped, the most events waiting to be sealed in any run was ${Math.max(...rows.map((r) => r.behind))}; the chain was complete at most ${Math.max(...rows.map((r) => r.catchUpMs))} ms later, and \`audit verify\` then passed over every event (${rows.map((r) => r.chained).join(', ')} per run).

Per run: ${rows.map((r) => `raw ${r.raw.toFixed(0)}, allow ${r.allow.rps.toFixed(0)} (p99 ${r.allow.p99}), deny ${r.deny.rps.toFixed(0)} (p99 ${r.deny.p99})`).join('; ')}.`,
  );
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
