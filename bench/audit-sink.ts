import { spawn } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import pg from 'pg';
import { PgAuditLog } from '../src/infra/postgres/audit-log.js';
import { loadEvents } from './audit.js';
import { cpuSnapshot, cpuUse, type CpuSnapshot } from './cpu.js';
import { BENCH_SECRET, REDIS_URL, freshDatabase, machine, median, writeSection } from './lib.js';

/**
 * `npm run bench:audit-sink`: events/s the audit sink delivers to a local
 * receiver, from a worker process (`AIRLOCK_ROLE=worker`) started on a trail
 * already sealed (BENCH_EVENTS, default 200,000, about 1 KB of data each, four
 * tenants interleaved as bench:audit seeds them), timed from the first batch
 * received to the last; and, in the same run, `psql -c "COPY (SELECT …) TO
 * STDOUT"` of the same events, the raw read the sink cannot beat. The
 * receiver does what a SIEM's collector must: it checks every batch's
 * signature before taking it. Each run starts from empty cursors.
 *
 * Knobs: BENCH_EVENTS (200,000), BENCH_RUNS (3), BENCH_NODE_ARGS (for the worker).
 */
const EVENTS = Number(process.env.BENCH_EVENTS ?? 200_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SINK_SECRET = 'bench-audit-sink-secret-0123456789abcdef';
const POLICY_FILE = 'examples/policy.yml';
const TENANTS = ['acme', 'globex', 'initech', 'umbrella'];

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** A collector that verifies each batch and keeps, per tenant, the highest sequence number received. */
async function startReceiver() {
  const received = new Map<string, number>();
  let batches = 0;
  let bytes = 0;
  let first = 0;
  let last = 0;
  let onChange: () => void = () => undefined;
  let onFirst: () => void = () => undefined;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(req.headers['airlock-signature'])) ?? [];
      const expected = createHmac('sha256', SINK_SECRET).update(`${t}.`).update(body).digest();
      if (!t || !timingSafeEqual(expected, Buffer.from(v1!, 'hex'))) {
        res.writeHead(401).end();
        throw new Error('a batch with a bad signature');
      }
      // The envelope's range leads the body: no need to parse a megabyte to count it.
      const head = /^\{"tenant":("[^"]*"),"first_seq":(\d+),"last_seq":(\d+)/.exec(body.subarray(0, 300).toString('utf8'))!;
      const tenant = JSON.parse(head[1]!) as string;
      received.set(tenant, Math.max(received.get(tenant) ?? 0, Number(head[3])));
      batches += 1;
      bytes += body.length;
      last = performance.now();
      if (!first) {
        first = last;
        onFirst();
      }
      res.writeHead(200).end();
      onChange();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/audit`,
    /** Clears what was received; `first` runs when the next first batch arrives. */
    reset(first_: () => void) {
      received.clear();
      batches = bytes = first = last = 0;
      onFirst = first_;
    },
    /** Resolves once every tenant's highest received sequence number reaches `heads`. */
    until(heads: Map<string, number>) {
      return new Promise<void>((resolve) => {
        onChange = () => {
          if ([...heads].every(([t, seq]) => (received.get(t) ?? 0) >= seq)) resolve();
        };
        onChange();
      });
    },
    figures: () => ({ batches, bytes, seconds: (last - first) / 1000 }),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** `psql -c "COPY (SELECT …) TO STDOUT" > /dev/null` of every event; seconds. */
function copyBaseline(databaseUrl: string): Promise<number> {
  const copy = 'COPY (SELECT id, tenant_id, kind, action_id, at, data FROM audit_events) TO STDOUT';
  const start = performance.now();
  const child = spawn('sh', ['-c', 'psql -X -q "$DB" -c "$COPY" > /dev/null'], { env: { ...process.env, DB: databaseUrl, COPY: copy }, stdio: ['ignore', 'ignore', 'inherit'] });
  return new Promise((resolve, reject) => child.on('close', (code) => (code === 0 ? resolve((performance.now() - start) / 1000) : reject(new Error(`psql exited ${code}`)))));
}

/** Peak resident memory of a process, from /proc (Linux). */
function peakRssMb(pid: number): number {
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return hwm ? Number(hwm[1]) / 1024 : Number.NaN;
}

/** Redis database 12: empty queues no other bench or test uses. */
function queueRedis(): string {
  const u = new URL(REDIS_URL);
  u.pathname = '/12';
  return u.toString();
}

/** The Postgres backends serving the database, but for the bench's own connections. */
async function backendPids(pool: pg.Pool): Promise<number[]> {
  const { rows } = await pool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
  return rows.map((r) => r.pid);
}

async function main() {
  const db = await freshDatabase('auditsink');
  const pool = new pg.Pool({ connectionString: db.url, max: 4 });
  const receiver = await startReceiver();
  try {
    let t = performance.now();
    await loadEvents(pool, EVENTS);
    const audit = new PgAuditLog(pool, BENCH_SECRET);
    // Sealing takes only events older than every running transaction of the Postgres server: others' may hold it back a while.
    for (let sealed = 0; sealed < EVENTS; ) {
      sealed += (await Promise.all(TENANTS.map((tenant) => audit.seal(tenant)))).reduce((a, b) => a + b, 0);
      if (sealed < EVENTS) await new Promise((r) => setTimeout(r, 200));
    }
    const seedS = (performance.now() - t) / 1000;
    const heads = new Map((await pool.query<{ tenant_id: string; seq: number }>('SELECT tenant_id, seq::float8 AS seq FROM audit_chain_heads')).rows.map((r) => [r.tenant_id, r.seq]));
    const total = [...heads.values()].reduce((a, b) => a + b, 0);
    const avgBytes = Number((await pool.query<{ b: number }>('SELECT avg(octet_length(data::text))::float8 AS b FROM audit_events')).rows[0]!.b);
    console.log(`seeded and sealed ${fmt(total)} events (${Math.round(avgBytes)} B of data each) in ${seedS.toFixed(1)} s`);

    const runs: { rate: number; perCpuSecond: number; workerPct: number; postgresPct: number; receiverPct: number; busyPct: number; copyRate: number; batches: number; mb: number; rssMb: number; load: number }[] = [];
    for (let run = 0; run < RUNS; run++) {
      await pool.query('DELETE FROM audit_sink_cursors');
      // CPU is accounted from the first batch on (the worker's start-up is not the sink's cost).
      let start: Promise<CpuSnapshot> | undefined;
      receiver.reset(() => {
        start = backendPids(pool).then((pids) => cpuSnapshot(worker.pid!, pids));
      });
      // BENCH_NODE_ARGS, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`, to profile the worker.
      const extra = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
      const worker = spawn('node', [...extra, '--import', 'tsx', 'src/main/start.ts'], {
        env: {
          ...process.env,
          DATABASE_URL: db.url,
          AIRLOCK_SECRET: BENCH_SECRET,
          AIRLOCK_ROLE: 'worker',
          POLICY_FILE,
          // Queues on a Redis database of their own: the Postgres backends measured are then the sink's (and the sealing sweep's), not the queue backend's polling.
          REDIS_URL: queueRedis(),
          LOG_LEVEL: 'warn',
          AUDIT_SINK_URL: receiver.url,
          AUDIT_SINK_SECRET: SINK_SECRET,
        },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      const exited = new Promise((r) => worker.once('exit', r));
      await receiver.until(heads);
      const cpu = cpuUse(await start!, cpuSnapshot(worker.pid!, await backendPids(pool)));
      const rssMb = peakRssMb(worker.pid!);
      worker.kill('SIGTERM');
      await exited;
      const f = receiver.figures();
      const copyS = await copyBaseline(db.url);
      const r = {
        rate: total / f.seconds,
        // Events per second of CPU the worker and its Postgres backends spent: what the sink costs, whatever else the machine runs.
        perCpuSecond: total / (((cpu.server + cpu.backends) / 100) * f.seconds),
        workerPct: cpu.server,
        postgresPct: cpu.backends,
        receiverPct: cpu.bench,
        busyPct: cpu.busy,
        copyRate: total / copyS,
        batches: f.batches,
        mb: f.bytes / 2 ** 20,
        rssMb,
        load: loadavg()[0]!,
      };
      runs.push(r);
      console.log(
        `run ${run + 1}: ${fmt(r.rate)} events/s delivered, ${fmt(r.perCpuSecond)} per CPU-second (worker ${r.workerPct.toFixed(0)} %, its backends ${r.postgresPct.toFixed(0)} %, receiver ${r.receiverPct.toFixed(0)} %, machine ${r.busyPct.toFixed(0)} % of a core); ` +
          `${r.batches} batches, ${r.mb.toFixed(0)} MB, worker peak RSS ${r.rssMb.toFixed(0)} MB; COPY ${fmt(r.copyRate)} rows/s; load ${r.load.toFixed(1)}`,
      );
    }
    const rate = median(runs.map((r) => r.rate));
    const perCpu = median(runs.map((r) => r.perCpuSecond));
    const copyRate = median(runs.map((r) => r.copyRate));
    const pct = (f: (r: (typeof runs)[number]) => number) => `${median(runs.map(f)).toFixed(0)} %`;
    const md = `## Audit sink: \`npm run bench:audit-sink\`

${new Date().toISOString().slice(0, 16)}Z, ${machine()}. Load average when the runs ended: ${loadavg().map((l) => l.toFixed(1)).join(', ')} (1, 5, 15 min).

A worker process (\`AIRLOCK_ROLE=worker\`, \`AUDIT_SINK_URL\` on a local receiver in the bench process) ships a trail already sealed: ${fmt(total)} events with ${Math.round(avgBytes)} bytes of \`data\` on average, four tenants interleaved as \`bench:audit\` seeds them (acme half of them). The receiver checks every batch's signature; time runs from the first batch received to the last. Each run starts from empty cursors. Baseline in the same runs: \`psql -c "COPY (SELECT id, tenant_id, kind, action_id, at, data FROM audit_events) TO STDOUT"\` of the same events into /dev/null.

| | events/s | of the COPY baseline (same runs) | target |
|---|---|---|---|
| delivered to the sink (median of ${RUNS}) | **${fmt(rate)}** | ${(rate / copyRate).toFixed(2)}× | ≥ 20,000 |
| COPY baseline | ${fmt(copyRate)} | | |

CPU while shipping, in percent of one core (medians): worker ${pct((r) => r.workerPct)}, its Postgres backends ${pct((r) => r.postgresPct)}, receiver ${pct((r) => r.receiverPct)}, whole machine ${pct((r) => r.busyPct)} (2 cores: 200 %). Events per CPU-second of the worker and its backends together: **${fmt(perCpu)}**, the cost of the sink whatever else the machine runs. The sink's three processes together had ${pct((r) => r.workerPct + r.postgresPct + r.receiverPct)} of a core of the machine's 200 %; the rest went to other work on the machine. Each tenant's batches go one after the other (chain order, each acknowledged before the next leaves), acme's in ${fmt(Math.ceil((heads.get('acme') ?? 0) / 500))} consecutive batches, while the other tenants' go alongside.

Per run (delivered events/s, per CPU-second, batches, MB sent, worker peak RSS MB, COPY rows/s, load average): ${runs.map((r) => `${fmt(r.rate)}, ${fmt(r.perCpuSecond)}, ${r.batches}, ${r.mb.toFixed(0)}, ${r.rssMb.toFixed(0)}, ${fmt(r.copyRate)}, ${r.load.toFixed(1)}`).join(' | ')}.
Knobs: \`BENCH_EVENTS\` (default 200,000), \`BENCH_RUNS\` (3), \`BENCH_NODE_ARGS\` (the worker's, e.g. \`--cpu-prof --cpu-prof-dir=/tmp/prof\`).`;
    console.log(md);
    await writeSection('audit-sink', md);
  } finally {
    await receiver.close();
    await pool.end();
    await db.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
