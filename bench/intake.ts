import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { BENCH_SECRET, freshDatabase, machine, median, startServer, writeSection } from './lib.js';
import { insertCopying, pgbench } from './pgbench.js';
import { GRANT_ARGS, ORDER_ARGS, bytes } from './payloads.js';
import { cpuSnapshot, cpuUse, type CpuUse } from './cpu.js';
import { OtlpReceiver } from '../test/fakes/otlp-receiver.js';
import { makeCreateAgent } from '../src/usecases/create-agent.js';
import { PgAgentStore } from '../src/infra/postgres/agent-repository.js';
import { FilePolicySource } from '../src/policy/file-policy-source.js';
import { PgAuditLog } from '../src/infra/postgres/audit-log.js';

/**
 * npm run bench:intake — decisions/s and latency of POST /v1/actions at 32
 * connections against a real server process, with about 1 KB of `args`, each
 * decision durably stored with its audit event; in the same run, pgbench
 * inserting copies of the same rows (action + audit event, one transaction
 * each) into a database of the same schema: the physical limit on this machine.
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 32;

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
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`non-2xx: ${result.non2xx} (${JSON.stringify(result.statusCodeStats)}), errors: ${result.errors}`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

/** The pgbench script: copies of the stored allow decision and its audit event, one transaction each, as Airlock writes them. */
async function baselineScript(pool: pg.Pool): Promise<string> {
  const where = "workflow = 'warmup' AND decision = 'allow'";
  const action = await insertCopying(pool, 'actions', where, { id: 'gen_random_uuid()', created_at: 'now()', decided_at: 'now()', idempotency_key: 'NULL' });
  const sample = `(SELECT id FROM actions WHERE ${where} LIMIT 1)`;
  const payload = await insertCopying(pool, 'action_payloads', `action_id = ${sample}`, { action_id: ':aid' });
  const audit = await insertCopying(pool, 'audit_events', `kind = 'decision' AND action_id = ${sample}`, { action_id: ':aid', at: 'now()' });
  const script = `BEGIN;\n${action} RETURNING id AS aid \\gset\n${payload};\n${audit};\nCOMMIT;\n`;
  // pgbench reads :name as a variable: a stored value must not contain one by accident.
  const stray = script.replace(/:aid\b/g, '').match(/:[A-Za-z0-9_]+/);
  if (stray) throw new Error(`the copied rows contain ${stray[0]}, which pgbench would read as a variable`);
  return script;
}

interface Run {
  pgbench: { tps: number; latencyMs: number };
  allow: Awaited<ReturnType<typeof cannon>>;
  deny: Awaited<ReturnType<typeof cannon>>;
  /** allow again, on a server that also evaluates a shadow policy (POLICY_SHADOW_FILE). */
  shadow: Awaited<ReturnType<typeof cannon>>;
  /** allow again, alternating between a server exporting traces of 10 % of the requests and its untraced twin. */
  traced: Awaited<ReturnType<typeof tracedPhase>>;
  /** allow again, alternating between a server whose audit sink never answers in time and its twin without a sink. */
  stalled: Awaited<ReturnType<typeof stalledSinkPhase>>;
  behind: number;
  catchUpMs: number;
  chained: number;
  argsBytes: number;
  /** Percent of one core while Airlock was under load (allow and deny). */
  cpu: CpuUse;
  cpuAllow: CpuUse;
}

/** The mean of two equally long windows. */
const meanUse = (a: CpuUse, b: CpuUse): CpuUse =>
  Object.fromEntries(Object.keys(a).map((k) => [k, (a[k as keyof CpuUse] + b[k as keyof CpuUse]) / 2])) as unknown as CpuUse;

/** A shadow candidate that disagrees with the live example on the measured tools (so each request's shadow decision differs). */
function shadowPolicyFile(): string {
  const live = readFileSync('examples/policy.yml', 'utf8');
  const shadow = live.replace(/(  lookup_order:\n(?:    .*\n)*?    mode: )allow/, '$1observe');
  if (shadow === live) throw new Error('could not derive the shadow policy from examples/policy.yml');
  const file = join(tmpdir(), `airlock-bench-shadow-${process.pid}.yml`);
  writeFileSync(file, shadow);
  return file;
}

async function main() {
  const rows: Run[] = [];
  const shadowFile = shadowPolicyFile();
  const allowBody = { tool: 'lookup_order', args: ORDER_ARGS, requester: { id: 'U1' }, workflow: 'bench' };
  const denyBody = { tool: 'grant_admin', args: GRANT_ARGS, requester: { id: 'U1' }, workflow: 'bench' };
  const argsBytes = Math.round((bytes(ORDER_ARGS) + bytes(GRANT_ARGS)) / 2);
  for (let run = 1; run <= RUNS; run++) {
    const db = await freshDatabase('intake');
    const baseDb = await freshDatabase('intake_pgbench');
    const server = await startServer({ DATABASE_URL: db.url, POLICY_FILE: 'examples/policy.yml' });
    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    try {
      const policy = await FilePolicySource.open('examples/policy.yml');
      const create = makeCreateAgent({ agents: new PgAgentStore(pool), policy });
      const support = `Bearer ${(await create('acme', 'support-bot')).key}`;
      const ops = `Bearer ${(await create('acme', 'ops-bot')).key}`;
      // Warm-up (not counted): JIT, connection pool and prepared statements, for both measured runs alike.
      await cannon(server.base, support, { ...allowBody, workflow: 'warmup' }, 3);
      // Baseline, same run, while the server idles: the same rows, straight into Postgres.
      // Each measured phase starts right after a CHECKPOINT (it is cluster-wide), so
      // that no figure depends on where a WAL-triggered checkpoint happens to fall.
      const script = await baselineScript(pool);
      await pool.query('CHECKPOINT');
      const baseline = await pgbench(baseDb.url, script, { clients: CONNECTIONS, seconds: SECONDS });
      await pool.query('CHECKPOINT');
      const c0 = cpuSnapshot(server.proc.pid!);
      const allow = await cannon(server.base, support, allowBody);
      const cpuAllow = cpuUse(c0, cpuSnapshot(server.proc.pid!));
      await pool.query('CHECKPOINT');
      const c1 = cpuSnapshot(server.proc.pid!);
      const deny = await cannon(server.base, ops, denyBody);
      const cpuDeny = cpuUse(c1, cpuSnapshot(server.proc.pid!));
      const cpu = meanUse(cpuAllow, cpuDeny);
      const shadow = await shadowPhase(shadowFile, allowBody);
      const traced = await tracedPhase(allowBody);
      const stalled = await stalledSinkPhase(allowBody);
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
      rows.push({ pgbench: baseline, allow, deny, shadow, traced, stalled, behind, catchUpMs, chained: verified.checked, argsBytes, cpu, cpuAllow });
      console.log(`run ${run}: pgbench ${baseline.tps.toFixed(0)} tx/s (avg ${baseline.latencyMs} ms), allow ${allow.rps.toFixed(0)}/s p50 ${allow.p50} p99 ${allow.p99}, deny ${deny.rps.toFixed(0)}/s p50 ${deny.p50} p99 ${deny.p99}, allow with a shadow policy ${shadow.rps.toFixed(0)}/s p99 ${shadow.p99}, allow traced at 10 % ${traced.on.rps.toFixed(0)}/s p99 ${traced.on.p99} against ${traced.off.rps.toFixed(0)}/s p99 ${traced.off.p99} untraced (${(traced.sampled * 100).toFixed(1)} % sampled), allow with a stalled audit sink ${stalled.on.rps.toFixed(0)}/s p99 ${stalled.on.p99} against ${stalled.off.rps.toFixed(0)}/s p99 ${stalled.off.p99} without (${stalled.waiting} events waiting in Postgres, ${stalled.batches} batches sent, peak RSS ${stalled.rssOnMb.toFixed(0)} / ${stalled.rssOffMb.toFixed(0)} MB); unsealed at end ${behind}, sealed ${catchUpMs} ms later, ${verified.checked} events verified; CPU (% of a core) server ${cpu.server.toFixed(0)}, Postgres ${cpu.postgres.toFixed(0)}, autocannon ${cpu.bench.toFixed(0)}, machine ${cpu.busy.toFixed(0)}/200`);
    } finally {
      await pool.end();
      await server.stop();
      await db.drop();
      await baseDb.drop();
    }
  }
  const base = median(rows.map((r) => r.pgbench.tps));
  const ratio = (r: Run, k: 'allow' | 'deny') => r[k].rps / r.pgbench.tps;
  const fmt = (k: 'allow' | 'deny') => {
    const rps = median(rows.map((r) => r[k].rps));
    const share = median(rows.map((r) => ratio(r, k)));
    const p99 = median(rows.map((r) => r[k].p99));
    return `| ${k} | ${rps.toFixed(0)} | ${(share * 100).toFixed(0)}% (${share >= 0.6 ? 'met' : 'missed'}) | ${median(rows.map((r) => r[k].p50))} | ${p99} (${p99 < 20 ? 'met' : 'missed'}) |`;
  };
  await writeSection(
    'intake',
    `## Intake: \`npm run bench:intake\`

Machine: ${machine()}; Postgres 15 (autovacuum off in this machine's configuration; each run starts on fresh databases) and Redis on the same machine. ${RUNS} runs of ${SECONDS} s each, medians shown (ratios are taken within each run, then the median).
autocannon, ${CONNECTIONS} connections, against \`npm start\` (one process, role all), after a 3 s warm-up; each measured phase (pgbench, allow, deny) starts right after a \`CHECKPOINT\`, so that no figure depends on where a WAL-triggered checkpoint falls; \`args\` of about ${argsBytes} bytes of JSON (an order lookup that is allowed, an admin grant that is denied). Each decision is durably stored with its audit event (the response is sent after the commit), and sealed into the tenant's hash chain right after (all load on one tenant).
Baseline, same run, while the server idles: \`pgbench -M prepared -c ${CONNECTIONS}\` inserting copies of a stored allow decision (its row, its payload with the 1 KB of args) and its audit event, with every index and trigger of the schema, \`BEGIN; INSERT action; INSERT payload; INSERT audit event; COMMIT\` per transaction, into a fresh database of the same schema: **${base.toFixed(0)} tx/s** (median).
Airlock can exceed it because it group-commits: decisions that arrive while a write is in flight are written together in one statement and one commit.

| decision | decisions/s | of pgbench (target ≥ 60%) | p50 ms | p99 ms (target < 20) |
|---|---|---|---|---|
${fmt('allow')}
${fmt('deny')}

With a shadow policy (\`POLICY_SHADOW_FILE\`: a candidate that disagrees on every measured request, so each decision also records a different shadow decision), the allow load on a second server and fresh database in the same run, right after a \`CHECKPOINT\`:

| decision | decisions/s | of allow without a shadow (target ≥ 90%) | p50 ms | p99 ms |
|---|---|---|---|---|
| allow, shadow on | ${median(rows.map((r) => r.shadow.rps)).toFixed(0)} | ${(median(rows.map((r) => r.shadow.rps / r.allow.rps)) * 100).toFixed(0)}% (${median(rows.map((r) => r.shadow.rps / r.allow.rps)) >= 0.9 ? 'met' : 'missed'}) | ${median(rows.map((r) => r.shadow.p50))} | ${median(rows.map((r) => r.shadow.p99))} |

With traces on (\`OTEL_EXPORTER_OTLP_ENDPOINT\` at a local OTLP/HTTP receiver in the benchmark's process, \`OTEL_TRACES_SAMPLER=parentbased_traceidratio\`, \`OTEL_TRACES_SAMPLER_ARG=0.1\`; the requests carry no \`traceparent\`, so a tenth of them are recorded and exported, and every action stores its trace context) against tracing off (no endpoint: nothing of the SDK is loaded), in the same run: two more servers, each on a fresh database of its own, warmed up alike, then the allow load alternating between them (off, on, on, off, …), ${TRACE_ROUNDS} rounds of ${TRACE_ROUND_SECONDS} s each, so that a change in the machine's load falls on both alike (decisions/s are the means over the rounds, latencies the medians):

| decision | decisions/s, traces off | decisions/s, traces on | on / off (target ≥ 90%) | p50 ms off / on | p99 ms off / on | spans exported per decision |
|---|---|---|---|---|---|---|
| allow | ${median(rows.map((r) => r.traced.off.rps)).toFixed(0)} | ${median(rows.map((r) => r.traced.on.rps)).toFixed(0)} | ${(median(rows.map((r) => r.traced.on.rps / r.traced.off.rps)) * 100).toFixed(0)}% (${median(rows.map((r) => r.traced.on.rps / r.traced.off.rps)) >= 0.9 ? 'met' : 'missed'}) | ${median(rows.map((r) => r.traced.off.p50))} / ${median(rows.map((r) => r.traced.on.p50))} | ${median(rows.map((r) => r.traced.off.p99))} / ${median(rows.map((r) => r.traced.on.p99))} | ${(median(rows.map((r) => r.traced.sampled)) * 100).toFixed(1)} % |

With an audit sink that never answers in time (\`AUDIT_SINK_URL\` at a local receiver in the benchmark's process that reads each batch and answers 503 only after ${STALL_SECONDS} s) against no sink at all, in the same run and alternating as above: the events wait in Postgres, and the server keeps one batch per tenant in memory at most.

| decision | decisions/s, no sink | decisions/s, sink stalled | stalled / none (target: no slower) | p99 ms none / stalled | events waiting in Postgres at the end | batches the sink was sent | server peak RSS MB none / stalled |
|---|---|---|---|---|---|---|---|
| allow | ${median(rows.map((r) => r.stalled.off.rps)).toFixed(0)} | ${median(rows.map((r) => r.stalled.on.rps)).toFixed(0)} | ${(median(rows.map((r) => r.stalled.on.rps / r.stalled.off.rps)) * 100).toFixed(0)}% | ${median(rows.map((r) => r.stalled.off.p99))} / ${median(rows.map((r) => r.stalled.on.p99))} | ${median(rows.map((r) => r.stalled.waiting)).toFixed(0)} | ${median(rows.map((r) => r.stalled.batches)).toFixed(0)} | ${median(rows.map((r) => r.stalled.rssOffMb)).toFixed(0)} / ${median(rows.map((r) => r.stalled.rssOnMb)).toFixed(0)} |

CPU while Airlock was under load, % of one core (medians over runs): server ${median(rows.map((r) => r.cpu.server)).toFixed(0)}, Postgres ${median(rows.map((r) => r.cpu.postgres)).toFixed(0)}, autocannon ${median(rows.map((r) => r.cpu.bench)).toFixed(0)}; whole machine ${median(rows.map((r) => r.cpu.busy)).toFixed(0)} of 200. The load generator shares the two cores with the server and Postgres; pgbench's client needs far less.

Sealing keeps up: when the load stopped, the most events waiting to be sealed in any run was ${Math.max(...rows.map((r) => r.behind))}; the chain was complete at most ${Math.max(...rows.map((r) => r.catchUpMs))} ms later, and \`audit verify\` then passed over every event (${rows.map((r) => r.chained).join(', ')} per run).

Per run: ${rows.map((r) => `pgbench ${r.pgbench.tps.toFixed(0)} (avg ${r.pgbench.latencyMs} ms), allow ${r.allow.rps.toFixed(0)} (p99 ${r.allow.p99}), deny ${r.deny.rps.toFixed(0)} (p99 ${r.deny.p99}), allow with shadow ${r.shadow.rps.toFixed(0)} (p99 ${r.shadow.p99}), traces on ${r.traced.on.rps.toFixed(0)} (p99 ${r.traced.on.p99}) against off ${r.traced.off.rps.toFixed(0)} (p99 ${r.traced.off.p99}), sink stalled ${r.stalled.on.rps.toFixed(0)} (p99 ${r.stalled.on.p99}) against none ${r.stalled.off.rps.toFixed(0)} (p99 ${r.stalled.off.p99})`).join('; ')}.`,
  );
}

/** The allow load against a server that also evaluates `shadowFile`, on its own fresh database. */
async function shadowPhase(shadowFile: string, body: unknown) {
  const db = await freshDatabase('intake_shadow');
  const server = await startServer({ DATABASE_URL: db.url, POLICY_FILE: 'examples/policy.yml', POLICY_SHADOW_FILE: shadowFile });
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  try {
    const policy = await FilePolicySource.open('examples/policy.yml');
    const auth = `Bearer ${(await makeCreateAgent({ agents: new PgAgentStore(pool), policy })('acme', 'support-bot')).key}`;
    await cannon(server.base, auth, { ...(body as object), workflow: 'warmup' }, 3);
    await pool.query('CHECKPOINT');
    const result = await cannon(server.base, auth, body);
    const recorded = Number((await pool.query("SELECT count(*) FROM action_payloads WHERE shadow->>'decision' = 'constrain'")).rows[0].count);
    if (recorded === 0) throw new Error('the shadow decisions were not recorded');
    return result;
  } finally {
    await pool.end();
    await server.stop();
    await db.drop();
  }
}

/** Rounds of the traced comparison, and the length of each (per server: about as long as one measured phase). */
const TRACE_ROUNDS = 4;
const TRACE_ROUND_SECONDS = Math.max(2, Math.round(SECONDS / TRACE_ROUNDS));

/** A server on a fresh database of its own, with the bench agent's key, warmed up. */
async function warmServer(label: string, env: Record<string, string>, body: unknown) {
  const db = await freshDatabase(label);
  const server = await startServer({ DATABASE_URL: db.url, POLICY_FILE: 'examples/policy.yml', ...env });
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  const policy = await FilePolicySource.open('examples/policy.yml');
  const auth = `Bearer ${(await makeCreateAgent({ agents: new PgAgentStore(pool), policy })('acme', 'support-bot')).key}`;
  await cannon(server.base, auth, { ...(body as object), workflow: 'warmup' }, 3);
  return { db, server, pool, auth };
}

/**
 * The allow load alternating between two warmed servers, TRACE_ROUNDS rounds
 * each, after a CHECKPOINT. Off, on, on, off, …: whichever goes second in a
 * pair runs on the heels of the other's writes, so each goes second as often.
 */
async function alternate(off: Awaited<ReturnType<typeof warmServer>>, on: Awaited<ReturnType<typeof warmServer>>, body: unknown) {
  const rounds = { off: [] as Awaited<ReturnType<typeof cannon>>[], on: [] as Awaited<ReturnType<typeof cannon>>[] };
  await off.pool.query('CHECKPOINT');
  for (let i = 0; i < TRACE_ROUNDS; i++) {
    for (const side of i % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
      const s = side === 'off' ? off : on;
      rounds[side].push(await cannon(s.server.base, s.auth, body, TRACE_ROUND_SECONDS));
    }
  }
  return rounds;
}

const summarise = (rounds: Awaited<ReturnType<typeof cannon>>[]) => ({
  rps: rounds.reduce((sum, r) => sum + r.rps, 0) / rounds.length,
  p50: Math.round(median(rounds.map((r) => r.p50))),
  p99: Math.round(median(rounds.map((r) => r.p99))),
});

/**
 * Traces on (10 % sampling, to a local OTLP receiver) against traces off:
 * the allow load alternating between the two servers. Returns both, and the
 * share of decisions whose intake span was exported (counted after the
 * traced server's shutdown flushed what it held).
 */
async function tracedPhase(body: unknown) {
  const receiver = await OtlpReceiver.start({ keep: false });
  const traced = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' };
  const off = await warmServer('intake_untraced', {}, body);
  const on = await warmServer('intake_traced', traced, body);
  let stopped = false;
  try {
    const rounds = await alternate(off, on, body);
    await on.server.stop();
    stopped = true;
    const { rows } = await on.pool.query('SELECT count(*)::int AS n, count(p.traceparent)::int AS traced FROM actions a JOIN action_payloads p ON p.action_id = a.id');
    if (rows[0].traced !== rows[0].n) throw new Error(`${rows[0].n - rows[0].traced} of ${rows[0].n} actions stored no trace context`);
    const { spans, stray } = receiver.counts();
    if (spans === 0 || stray.length > 0) throw new Error(`the receiver got ${spans} spans${stray.length > 0 ? ` and stray requests: ${stray.join(', ')}` : ''}`);
    const untraced = (await off.pool.query('SELECT count(p.traceparent)::int AS n FROM action_payloads p')).rows[0].n;
    if (untraced !== 0) throw new Error(`${untraced} actions stored a trace context with traces off`);
    return { off: summarise(rounds.off), on: summarise(rounds.on), sampled: spans / rows[0].n };
  } finally {
    for (const s of [off, on]) await s.pool.end();
    await off.server.stop();
    if (!stopped) await on.server.stop();
    for (const s of [off, on]) await s.db.drop();
    await receiver.close();
  }
}

/** How long the stalled sink holds each batch before it answers 503 (the sink's own timeout is 30 s). */
const STALL_SECONDS = 20;
const SINK_SECRET = 'bench-audit-sink-secret-0123456789abcdef';

/** A sink that reads every batch and answers 503 only after STALL_SECONDS: a SIEM that has stopped keeping up. */
async function stalledSink() {
  let batches = 0;
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    batches++;
    req.resume();
    req.on('end', () => setTimeout(() => res.writeHead(503).end(), STALL_SECONDS * 1000).unref());
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/events`,
    batches: () => batches,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const peakRssMb = (pid: number) => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? Number.NaN) / 1024;

/**
 * An audit sink that never answers in time against no sink: the allow load
 * alternating between the two servers, as for traces. Returns both, the
 * events left waiting in Postgres, the batches the sink was sent and each
 * server's peak resident memory.
 */
async function stalledSinkPhase(body: unknown) {
  const sink = await stalledSink();
  const off = await warmServer('intake_no_sink', {}, body);
  const on = await warmServer('intake_stalled_sink', { AUDIT_SINK_URL: sink.url, AUDIT_SINK_SECRET: SINK_SECRET }, body);
  try {
    const rounds = await alternate(off, on, body);
    const waiting = (await on.pool.query('SELECT count(*)::int AS n FROM audit_events')).rows[0].n as number;
    if (sink.batches() === 0) throw new Error('the stalled sink was never sent a batch');
    return {
      off: summarise(rounds.off),
      on: summarise(rounds.on),
      waiting,
      batches: sink.batches(),
      rssOffMb: peakRssMb(off.server.proc.pid!),
      rssOnMb: peakRssMb(on.server.proc.pid!),
    };
  } finally {
    for (const s of [off, on]) await s.pool.end();
    for (const s of [off, on]) await s.server.stop();
    for (const s of [off, on]) await s.db.drop();
    await sink.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
