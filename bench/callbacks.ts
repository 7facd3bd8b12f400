import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { ADMIN_URL, REDIS_URL, freshDatabase, machine, median, writeSection } from './lib.js';
import { STRAGGLER_MS, Submitter, f, flushRedis, openLoop, redisDbUrl, runBench, startBenchServer, stats, until, type Backend, type Stats, type Submitted } from './chat-lib.js';
import { ORDER_ARGS, bytes } from './payloads.js';
import { PgAgentStore } from '../src/infra/postgres/agent-repository.js';
import { FilePolicySource } from '../src/policy/file-policy-source.js';
import { makeCreateAgent } from '../src/usecases/create-agent.js';

/**
 * npm run bench:callbacks — is one agent's silent callback receiver felt by
 * another tenant? A real server process (role all), an approval policy whose
 * 1 s timeout denies every action (bench/callbacks-policy.yml), so each action
 * is decided with no reviewer and its callback follows. Per run, on a fresh
 * database:
 * - baseline: tenant globex submits actions (about 1 KB of args) at RATE/s for
 *   SECONDS, with a callback_url on a receiver here that answers 204 at once;
 *   latency = the action's decided_at → its callback arrives;
 * - flood: tenant acme's agent first submits FLOOD actions whose callbacks go
 *   to a receiver that accepts the connection and never answers (they time
 *   out and are retried with backoff for the whole phase), then globex
 *   submits exactly as in the baseline, measured the same way.
 * The target: globex's callback p99 under the flood within 2 s of the
 * baseline's p99 of the same run. Median of RUNS runs per queue backend.
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const RATE = Number(process.env.BENCH_RATE ?? 5);
const FLOOD = Number(process.env.BENCH_FLOOD ?? 64);
const BACKENDS = (process.env.BENCH_BACKENDS ?? 'redis,postgres').split(',').filter(Boolean) as Backend[];
const TARGET_MS = 2_000;
const POLICY = 'bench/callbacks-policy.yml';

interface Phase {
  latency: Stats;
  /** globex callbacks that never arrived within STRAGGLER_MS of the phase's end. */
  missing: number;
}
interface RunResult {
  baseline: Phase;
  flood: Phase;
  /** Most connections the flood held open on the silent receiver at once. */
  floodOpen: number;
}

/** Two receivers on 127.0.0.1: one that answers 204 and notes when each action's callback came, one that never answers. */
async function receivers() {
  const arrived = new Map<string, { at: number; decidedAt: number }>();
  const fast = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = Date.now();
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string; decided_at: string };
      arrived.set(body.id, { at, decidedAt: Date.parse(body.decided_at) });
      res.writeHead(204).end();
    });
  });
  const silent = { open: 0, most: 0 };
  const hang = http.createServer((req) => {
    silent.open += 1;
    silent.most = Math.max(silent.most, silent.open);
    req.resume();
    req.socket.once('close', () => (silent.open -= 1));
  });
  const listen = async (s: http.Server) => {
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(s.address() as AddressInfo).port}/hooks/airlock`;
  };
  return {
    fastUrl: await listen(fast),
    hangUrl: await listen(hang),
    arrived,
    silent,
    close: async () => {
      hang.closeAllConnections();
      fast.closeAllConnections();
      await Promise.all([new Promise((r) => hang.close(r)), new Promise((r) => fast.close(r))]);
    },
  };
}

async function oneRun(backend: Backend, run: number): Promise<RunResult> {
  const db = await freshDatabase(`callbacks_${backend}_${run}`);
  const redisUrl = redisDbUrl();
  if (backend === 'redis') await flushRedis(redisUrl);
  const r = await receivers();
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  const server = await startBenchServer({
    DATABASE_URL: db.url,
    ...(backend === 'redis' ? { REDIS_URL: redisUrl } : {}),
    POLICY_FILE: POLICY,
    // Both receivers are on this machine.
    AIRLOCK_CALLBACK_ALLOW: '127.0.0.1',
    // Every card is undeliverable here (no chat platform) and says so at error level.
    LOG_LEVEL: 'fatal',
  });
  try {
    const create = makeCreateAgent({ agents: new PgAgentStore(pool), policy: await FilePolicySource.open(POLICY) });
    const globex = new Submitter(server.base, `Bearer ${(await create('globex', 'bot')).key}`);
    const acme = new Submitter(server.base, `Bearer ${(await create('acme', 'flood-bot')).key}`);
    const action = (callback_url: string) => ({ tool: 'lookup_order', args: ORDER_ARGS, requester: { id: 'U0SAM' }, callback_url });

    const phase = async (): Promise<Phase> => {
      const sent: Submitted[] = [];
      await openLoop(SECONDS * RATE, RATE, () => globex.submit(action(r.fastUrl), sent), performance.now());
      await globex.settled();
      const ids = sent.filter((s) => s.id).map((s) => s.id!);
      await until(() => ids.every((id) => r.arrived.has(id)), STRAGGLER_MS);
      const lat = ids.flatMap((id) => {
        const a = r.arrived.get(id);
        return a ? [a.at - a.decidedAt] : [];
      });
      return { latency: stats(lat), missing: sent.length - lat.length };
    };

    // Warm-up, not measured: connections, JIT, the queue workers' first jobs.
    const warm: Submitted[] = [];
    for (let i = 0; i < 10; i++) globex.submit(action(r.fastUrl), warm);
    await globex.settled();
    await until(() => warm.every((s) => s.id && r.arrived.has(s.id)), STRAGGLER_MS);

    const baseline = await phase();
    const flooded: Submitted[] = [];
    for (let i = 0; i < FLOOD; i++) acme.submit(action(r.hangUrl), flooded);
    await acme.settled();
    if (flooded.some((s) => s.status !== 201)) throw new Error('the flood was not accepted');
    // The flood is decided a second in; measure once its callbacks are hanging.
    if (!(await until(() => r.silent.open > 0, 30_000))) throw new Error('the flood never reached its receiver');
    const flood = await phase();
    return { baseline, flood, floodOpen: r.silent.most };
  } finally {
    await server.stop();
    await r.close();
    await pool.end();
    await db.drop();
    if (backend === 'redis') await flushRedis(redisUrl);
  }
}

async function main() {
  const startedAt = new Date();
  const rows: string[] = [];
  const notes: string[] = [];
  for (const backend of BACKENDS) {
    const runs: RunResult[] = [];
    for (let run = 1; run <= RUNS; run++) {
      const res = await oneRun(backend, run);
      runs.push(res);
      console.log(
        `${backend} run ${run}: baseline p50 ${f(res.baseline.latency.p50)} p99 ${f(res.baseline.latency.p99)} ms; flood p50 ${f(res.flood.latency.p50)} p99 ${f(res.flood.latency.p99)} max ${f(res.flood.latency.max)} ms; missing ${res.baseline.missing}/${res.flood.missing}; flood held ${res.floodOpen} connections`,
      );
      await sleep(500);
    }
    const m = (pick: (r: RunResult) => number) => median(runs.map(pick));
    const base99 = m((x) => x.baseline.latency.p99);
    const flood99 = m((x) => x.flood.latency.p99);
    const met = flood99 - base99 <= TARGET_MS && runs.every((x) => x.flood.missing === 0);
    rows.push(
      `| ${backend} | ${f(m((x) => x.baseline.latency.p50))} / ${f(base99)} | ${f(m((x) => x.flood.latency.p50))} / ${f(flood99)} / ${f(m((x) => x.flood.latency.max))} | ${f(flood99 - base99)} | ${m((x) => x.floodOpen)} | ${runs.reduce((n, x) => n + x.flood.missing + x.baseline.missing, 0)} | ${met ? 'met' : 'missed'} |`,
    );
    notes.push(`${backend} per run, p99 baseline → flood (ms): ${runs.map((x) => `${f(x.baseline.latency.p99)} → ${f(x.flood.latency.p99)}`).join('; ')}`);
  }
  const md = `
## Callbacks: another tenant's callbacks while one agent's receiver never answers

\`npm run bench:callbacks\` (BENCH_RUNS=${RUNS}, BENCH_SECONDS=${SECONDS}, BENCH_RATE=${RATE}, BENCH_FLOOD=${FLOOD}), ${startedAt.toISOString().slice(0, 16)}Z, ${machine()}.
A real server process (role all) on a fresh database per run. Tenant globex submits ${RATE} actions a second for ${SECONDS} s (args ${bytes(ORDER_ARGS)} bytes of JSON), each denied by a 1 s timeout with a callback to a receiver that answers 204 at once; latency = the action's \`decided_at\` → its callback arrives. **Baseline**: that alone. **Flood**: the same, after tenant acme's agent submitted ${FLOOD} actions whose callbacks go to a receiver that accepts the connection and never answers (each delivery times out after 5 s and is retried with backoff throughout the phase). Median of ${RUNS} runs; the baseline is the same run's phase without the flood. Target: flood p99 within ${TARGET_MS / 1000} s of the baseline p99.

| Queue backend | Baseline p50 / p99 (ms) | Flood p50 / p99 / max (ms) | p99 − baseline p99 (ms) | Flood connections held at once | Callbacks missing (all runs) | Target |
|---|---|---|---|---|---|---|
${rows.join('\n')}

${notes.map((n) => `- ${n}`).join('\n')}
`;
  console.log(md);
  await writeSection('callbacks', md);
}

if (new URL(ADMIN_URL).hostname !== '127.0.0.1' || new URL(REDIS_URL).hostname !== '127.0.0.1') throw new Error('bench:callbacks runs against a local Postgres and Redis only');
runBench(main);
