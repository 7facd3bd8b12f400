import { spawn, type StdioOptions } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import { PgAuditLog } from '../src/infra/postgres/audit-log.js';
import { BENCH_SECRET, freshDatabase, machine, median, writeSection } from './lib.js';

/**
 * npm run bench:audit — `audit verify` events/s and `audit export` lines/s
 * (to /dev/null and through gzip), with the peak RSS of the command, on a
 * trail of BENCH_EVENTS events (about 1 KB of data each) of four tenants
 * interleaved; and in the same run the raw read of the same rows
 * (`psql -c "COPY (SELECT …) TO STDOUT"`), so each figure reads as a ratio.
 * `measureAudit` is exported for bench:scale.
 *
 * Knobs: BENCH_EVENTS (default 1,000,000), BENCH_RUNS (3).
 */
const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const POLICY_FILE = 'examples/policy.yml';

/** Share of the events per tenant (acme and globex are measured; all four interleave in the table). */
const TENANTS: [string, number][] = [['acme', 4], ['globex', 1], ['initech', 2], ['umbrella', 1]];

export interface CommandFigures {
  ms: number;
  perSecond: number;
  /** Events per second of the command's own CPU time (Node; the database's not included): steadier than wall time on a shared machine. */
  perCpuSecond: number;
  maxRssMb: number;
}

export interface AuditFigures {
  tenant: string;
  events: number;
  verify: CommandFigures;
  exportDevNull: CommandFigures;
  exportGzip: CommandFigures;
  /** psql COPY of the same rows (id, kind, action_id, at, data), rows/s. */
  baselineCopy: number;
  baselineCopyGzip: number;
  /** 1-minute load average when the measurement ended. */
  load: number;
}

interface Measured {
  code: number;
  ms: number;
  cpuMs: number;
  maxRssMb: number;
  problems: string[];
  stdout: string;
}

const devNull = () => openSync('/dev/null', 'w');

/** Runs bench/audit-command.ts (the CLI's runCli) with stdout to /dev/null, to `gzip -6 > /dev/null`, or captured. */
function command(databaseUrl: string, args: string[], sink: 'null' | 'gzip' | 'capture'): Promise<Measured> {
  const nullFd = devNull();
  const stdio: StdioOptions = ['ignore', sink === 'null' ? nullFd : 'pipe', 'inherit', 'pipe'];
  const child = spawn('node', ['--import', 'tsx', 'bench/audit-command.ts', ...args], {
    env: { ...process.env, DATABASE_URL: databaseUrl, AIRLOCK_SECRET: BENCH_SECRET, POLICY_FILE, LOG_LEVEL: 'warn' },
    stdio,
  });
  let stdout = '';
  let report = '';
  let gzip: ReturnType<typeof spawn> | undefined;
  if (sink === 'gzip') {
    gzip = spawn('gzip', ['-6'], { stdio: [child.stdout!, nullFd, 'inherit'] });
    child.stdout!.destroy();
  } else if (sink === 'capture') {
    child.stdout!.on('data', (d) => (stdout += d));
  }
  child.stdio[3]!.on('data', (d) => (report += d));
  const exited = (p: ReturnType<typeof spawn>) => new Promise<void>((resolve) => p.on('close', () => resolve()));
  return Promise.all([exited(child), gzip ? exited(gzip) : undefined]).then(() => {
    closeSync(nullFd);
    const r = JSON.parse(report) as Omit<Measured, 'stdout'>;
    if (r.code !== 0) throw new Error(`audit ${args.join(' ')} failed: ${r.problems.join('; ')}`);
    return { ...r, stdout };
  });
}

/** `psql -c "COPY (…) TO STDOUT"` of the tenant's events into /dev/null, or through gzip -6; seconds. */
function baseline(databaseUrl: string, tenant: string, gzip: boolean): Promise<number> {
  const copy = `COPY (SELECT id, kind, action_id, at, data FROM audit_events WHERE tenant_id = '${tenant.replace(/'/g, "''")}') TO STDOUT`;
  const start = performance.now();
  const child = spawn('sh', ['-c', `psql -X -q "$DB" -c "$COPY"${gzip ? ' | gzip -6' : ''} > /dev/null`], {
    env: { ...process.env, DB: databaseUrl, COPY: copy },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return new Promise((resolve, reject) =>
    child.on('close', (code) => (code === 0 ? resolve((performance.now() - start) / 1000) : reject(new Error(`psql baseline exited ${code}`)))),
  );
}

const figures = (m: Measured, count: number): CommandFigures => ({ ms: m.ms, perSecond: count / (m.ms / 1000), perCpuSecond: count / (m.cpuMs / 1000), maxRssMb: m.maxRssMb });

/** One measurement of verify and export for `tenant` (already sealed), with its baselines. */
export async function measureAudit(databaseUrl: string, tenant: string): Promise<AuditFigures> {
  const verify = await command(databaseUrl, ['verify', '--tenant', tenant], 'capture');
  const events = (JSON.parse(verify.stdout) as { checked: number }).checked;
  const exportDevNull = await command(databaseUrl, ['export', '--tenant', tenant], 'null');
  const exportGzip = await command(databaseUrl, ['export', '--tenant', tenant], 'gzip');
  const copy = await baseline(databaseUrl, tenant, false);
  const copyGzip = await baseline(databaseUrl, tenant, true);
  return {
    tenant,
    events,
    verify: figures(verify, events),
    exportDevNull: figures(exportDevNull, events),
    exportGzip: figures(exportGzip, events),
    baselineCopy: events / copy,
    baselineCopyGzip: events / copyGzip,
    load: os.loadavg()[0]!,
  };
}

/** Bulk-loads `n` events spread over TENANTS, interleaved as decisions of several tenants would be, about 1 KB of data each. */
export async function loadEvents(pool: pg.Pool, n: number, firstIndex = 0, only?: string): Promise<void> {
  const pattern = only ? [only] : TENANTS.flatMap(([t, w]) => Array.from({ length: w }, () => t));
  const CHUNK = 100_000;
  for (let from = firstIndex; from < firstIndex + n; from += CHUNK) {
    await pool.query(
      `INSERT INTO audit_events (tenant_id, kind, action_id, at, data)
       SELECT ($3::text[])[1 + i % cardinality($3::text[])], 'decision', gen_random_uuid(), clock_timestamp(),
         jsonb_build_object('request_id', gen_random_uuid(), 'tenant', 'acme', 'environment', 'production', 'workflow', 'customer-support',
           'agent', 'support-bot', 'requester', jsonb_build_object('id', 'U0SAM', 'email', 'sam@example.com'), 'session', 'sess-' || (i % 977),
           'tool', 'send_customer_email', 'target', null, 'summary', 'Tell Jane her refund for order ' || i || ' is on its way',
           'risk', 'high', 'reversibility', 'irreversible', 'effects', jsonb_build_array('external', 'irreversible'), 'hard_boundary', 'passed',
           'policy_version', md5(i::text) || '.3', 'rule', 'tools.send_customer_email.when[0]', 'decision', 'queue_for_approval',
           'mode', 'approval_required', 'status', 'pending',
           'reasons', jsonb_build_array('agent support-bot is declared', 'tool send_customer_email is registered', 'context.confidence < 0.8: approval_required'),
           'consequence', 'Sends an email to jane@example.com with the subject "Your refund"; it cannot be unsent',
           'args', jsonb_build_object('to', 'jane@example.com', 'subject', 'Your refund', 'body', '[redacted]', 'order_id', 'o-' || i, 'locale', 'en-GB'),
           'args_sha256', encode(sha256(i::text::bytea), 'hex'), 'final_decision', 'queue_for_approval', 'reviewer', null,
           'execution_result', null, 'latency_ms', 3.2)
       FROM generate_series($1::bigint, $2::bigint) AS i`,
      [from, Math.min(from + CHUNK, firstIndex + n) - 1, pattern],
    );
  }
}

async function sealAll(audit: PgAuditLog, tenants: string[]): Promise<void> {
  await Promise.all(tenants.map((t) => audit.seal(t)));
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main() {
  const db = await freshDatabase('audit');
  const pool = new pg.Pool({ connectionString: db.url, max: 4 });
  const audit = new PgAuditLog(pool, BENCH_SECRET);
  try {
    const autovacuum = (await pool.query<{ autovacuum: string }>('SHOW autovacuum')).rows[0]!.autovacuum;
    let t = performance.now();
    await loadEvents(pool, EVENTS);
    const loadS = (performance.now() - t) / 1000;
    t = performance.now();
    await sealAll(audit, TENANTS.map(([name]) => name));
    const sealS = (performance.now() - t) / 1000;
    const avgBytes = Number((await pool.query<{ b: number }>('SELECT avg(octet_length(data::text))::float8 AS b FROM audit_events')).rows[0]!.b);
    console.log(`loaded ${fmt(EVENTS)} events (${Math.round(avgBytes)} B of data each) in ${loadS.toFixed(1)} s, sealed in ${sealS.toFixed(1)} s`);

    const runs: AuditFigures[] = [];
    for (let i = 0; i < RUNS; i++) {
      const r = await measureAudit(db.url, 'acme');
      runs.push(r);
      console.log(`run ${i + 1}: verify ${fmt(r.verify.perSecond)}/s, export ${fmt(r.exportDevNull.perSecond)}/s, export|gzip ${fmt(r.exportGzip.perSecond)}/s, COPY ${fmt(r.baselineCopy)}/s, COPY|gzip ${fmt(r.baselineCopyGzip)}/s`);
    }
    const small = await measureAudit(db.url, 'globex');

    // A daily check: checkpoint, one more "day" of 1% new events for acme, verify --since the checkpoint.
    const checkpoint = await audit.checkpoint('acme');
    const acmeEvents = runs[0]!.events;
    const day = Math.max(1, Math.round(acmeEvents / 100));
    await loadEvents(pool, day, EVENTS, 'acme');
    await sealAll(audit, ['acme']);
    const sinceRuns: Measured[] = [];
    for (let i = 0; i < RUNS; i++) sinceRuns.push(await command(db.url, ['verify', '--tenant', 'acme', '--since', JSON.stringify(checkpoint)], 'capture'));
    const sinceChecked = (JSON.parse(sinceRuns[0]!.stdout) as { checked: number }).checked;
    const sinceMs = median(sinceRuns.map((r) => r.ms));

    // An unsealed tail streams too: a transaction left open holds sealing back while globex gets more events.
    const tail = Math.max(1, Math.round(EVENTS / 5));
    const holder = await pool.connect();
    let tailRun: Measured;
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_current_xact_id()');
      await loadEvents(pool, tail, EVENTS + day, 'globex');
      tailRun = await command(db.url, ['export', '--tenant', 'globex'], 'null');
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
    const tailLines = small.events + tail;

    const m = (f: (r: AuditFigures) => number) => median(runs.map(f));
    const verifyRate = m((r) => r.verify.perSecond);
    const exportRate = m((r) => r.exportDevNull.perSecond);
    const gzipRate = m((r) => r.exportGzip.perSecond);
    const copyRate = m((r) => r.baselineCopy);
    const copyGzipRate = m((r) => r.baselineCopyGzip);
    // Ratios are taken within each run (the baseline ran minutes apart from nothing), then the median.
    const x = (f: (r: AuditFigures) => number) => `${m(f).toFixed(2)}×`;
    const md = `## Audit: \`npm run bench:audit\`

Machine: ${machine()}; Postgres 15 on the same machine, **autovacuum ${autovacuum}** in this machine's configuration (nothing in Airlock depends on it either way). The machine is shared with other work (load average ${runs.map((r) => r.load.toFixed(1)).join(', ')} at the end of each run, on 2 cores), so wall-clock figures are noisy: ratios are taken within each run, and events per second of the command's own CPU time are shown too.
Trail: ${fmt(EVENTS)} events with ${Math.round(avgBytes)} bytes of \`data\` on average (a decision event's fields), four tenants interleaved (acme ${TENANTS[0]![1]}/8, globex ${TENANTS[1]![1]}/8, two others), bulk-inserted with SQL and sealed by Airlock's sealer (${sealS.toFixed(0)} s). Measured on acme's ${fmt(acmeEvents)} events; ${RUNS} runs, medians shown.
Commands run as the CLI runs them (\`runAudit\` in a child process, timed without Node's start-up); peak RSS is the child's. Baseline in the same runs: \`psql -c "COPY (SELECT id, kind, action_id, at, data FROM audit_events WHERE tenant_id = 'acme') TO STDOUT"\`, the raw read of the same rows: **${fmt(copyRate)} rows/s** into /dev/null, **${fmt(copyGzipRate)} rows/s** through \`gzip -6\`.

| command | events/s | of the COPY baseline (same run) | events per CPU-second of the command | peak RSS MB | target |
|---|---|---|---|---|---|
| \`audit verify --tenant acme\` | ${fmt(verifyRate)} | ${x((r) => r.verify.perSecond / r.baselineCopy)} | ${fmt(m((r) => r.verify.perCpuSecond))} | ${m((r) => r.verify.maxRssMb).toFixed(0)} | ≥ 200,000 |
| \`audit export --tenant acme > /dev/null\` | ${fmt(exportRate)} | ${x((r) => r.exportDevNull.perSecond / r.baselineCopy)} | ${fmt(m((r) => r.exportDevNull.perCpuSecond))} | ${m((r) => r.exportDevNull.maxRssMb).toFixed(0)} | ≥ 50,000 |
| \`audit export --tenant acme \\| gzip -6 > /dev/null\` | ${fmt(gzipRate)} | ${x((r) => r.exportGzip.perSecond / r.baselineCopyGzip)} of COPY \\| gzip | ${fmt(m((r) => r.exportGzip.perCpuSecond))} | ${m((r) => r.exportGzip.maxRssMb).toFixed(0)} | |
| \`audit verify --tenant acme --since <checkpoint>\` after ${fmt(day)} new events | ${fmt(sinceChecked)} events in ${(sinceMs / 1000).toFixed(2)} s | | | ${median(sinceRuns.map((r) => r.maxRssMb)).toFixed(0)} | cost of the new events only |

Memory stays flat: on globex's ${fmt(small.events)} events (a quarter of acme's) peak RSS was ${small.verify.maxRssMb.toFixed(0)} MB for verify and ${small.exportDevNull.maxRssMb.toFixed(0)} MB for export (verify ${fmt(small.verify.perSecond)}/s, export ${fmt(small.exportDevNull.perSecond)}/s, COPY ${fmt(small.baselineCopy)}/s); exporting globex again with ${fmt(tail)} more events left unsealed (a transaction held open), ${fmt(tailLines)} lines at ${fmt(tailLines / (tailRun.ms / 1000))}/s, peak RSS was ${tailRun.maxRssMb.toFixed(0)} MB.

What moved it (each step measured on this trail; profiles with \`node --cpu-prof\`): the issue's starting point was verify ≈ 50k events/s and export ≈ 10.5k lines/s. (1) \`data\` stored as \`json\`, the text the hash covers (migration 0011): rendering jsonb was about two thirds of the database's work per event (psql COPY of one tenant's rows: 3.4 s as jsonb, 0.9 s as json). (2) Rows read with binary COPY and parsed in place (no object per field), the export line assembled from the received bytes, the output written in 256 KB chunks with backpressure. (3) verify reads each block's events by watermark range (one index range scan) instead of one index probe per listed event: the database backend's CPU time for acme's 500k events (read from /proc) went from 1.6 s to 0.8 s. (4) Event hashes assembled byte by byte and digests written into a reused buffer: the CLI's CPU per 500k events 2.0 → 1.65 s. What is left per event: SHA-256 of about 1.3 KB (about 1 µs in Node), receiving the bytes (about 1 µs of kernel time), the database's 1.6–2 µs. On an idle machine the CLI's own CPU bounds verify at about the events-per-CPU-second figure above (one thread), which the wall-clock figure approaches only when the two cores are not busy with other work.

Per run (verify, export, export | gzip, COPY, COPY | gzip, events/s; load average): ${runs.map((r) => `${fmt(r.verify.perSecond)}, ${fmt(r.exportDevNull.perSecond)}, ${fmt(r.exportGzip.perSecond)}, ${fmt(r.baselineCopy)}, ${fmt(r.baselineCopyGzip)}; ${r.load.toFixed(1)}`).join(' | ')}.
Medians are of each column separately. Knobs: \`BENCH_EVENTS\` (default 1,000,000), \`BENCH_RUNS\` (3). \`measureAudit(databaseUrl, tenant)\` in \`bench/audit.ts\` is the measuring function, for \`bench:scale\`.`;
    console.log(md);
    await writeSection('audit', md);
  } finally {
    await pool.end();
    await db.drop();
  }
}

if (process.argv[1]?.endsWith('bench/audit.ts')) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
