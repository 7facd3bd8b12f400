import { spawn } from 'node:child_process';
import os from 'node:os';
import secureSession from '@fastify/secure-session';
import Fastify from 'fastify';
import pg from 'pg';
import { sessionKey, SESSION_MS, type SignedIn } from '../adapters/console/session.js';
import { foldActionCounts } from '../src/infra/postgres/action-counts.js';
import { FIGURES_SQL, TIMELINE_SQL, wholeHours } from '../src/infra/postgres/evidence-repository.js';
import { RAW_FIGURES_SQL, RAW_TIMELINE_SQL } from '../test/support/raw-evidence.js';
import { startTestIdp } from '../test/support/oidc-provider.js';
import { BENCH_SECRET, freshDatabase, machine, median, startServer, writeSection } from './lib.js';
import { seedActions } from './seed-actions.js';

/**
 * npm run bench:console — the console's dashboard page over BENCH_ACTIONS
 * actions of one tenant (seeded as bench:report seeds them, plus a tenth as
 * many of another tenant), served by `src/main/start.ts` in its own process
 * and fetched signed in as the tenant's auditor: the whole page, figures,
 * chart data and tables, per window. Baseline in the same runs: the page's
 * two report statements (figures, then decisions over time) through `psql`.
 *
 * The session cookie is sealed with the key the server derives from the
 * same AIRLOCK_SECRET, as a sign-in would leave it; the identity provider
 * (test/support's oidc-provider) is there only so the server is ready.
 *
 * Knobs: BENCH_ACTIONS (default 1,000,000), BENCH_RUNS (5).
 */
const ACTIONS = Number(process.env.BENCH_ACTIONS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TENANT = 'acme';
const AUDITOR = 'audit@acme.example';
const TARGET_MS = 1_000;
const WINDOWS = [
  { window: '30d', slice: 86_400, days: 30 },
  { window: '7d', slice: 21_600, days: 7 },
] as const;

/** A session cookie as the console sets it after a sign-in, sealed with the server's key. */
async function sessionCookie(issuer: string): Promise<string> {
  const app = Fastify();
  await app.register(secureSession, { key: sessionKey(BENCH_SECRET), cookieName: 'airlock_console' });
  await app.ready();
  const now = Date.now();
  const signedIn: SignedIn = { who: { issuer, subject: 'bench-auditor', email: AUDITOR, emailVerified: true, groups: {} }, signedInAt: now, expiresAt: now + SESSION_MS };
  const cookie = app.encodeSecureSession(app.createSecureSession({ signedIn }));
  await app.close();
  // As Set-Cookie would carry it: the sealed value holds a `;`.
  return `airlock_console=${encodeURIComponent(cookie)}`;
}

/**
 * Statements through psql (JIT off and work_mem as the store sets them), psql's start-up
 * included: the page's own two (`counted`: the floor under the page), or the
 * same figures computed from the action rows (`rows`: what the page cost
 * before actions were counted per hour).
 */
function baseline(databaseUrl: string, w: (typeof WINDOWS)[number], kind: 'counted' | 'rows'): Promise<number> {
  const until = new Date();
  const since = new Date(until.getTime() - w.days * 86_400_000);
  const hours = wholeHours(since, until);
  const at = (d: Date) => `'${d.toISOString()}'::timestamptz`;
  const bind = (sql: string, slice: string) =>
    sql
      .replaceAll('$1', `'${TENANT}'`)
      .replaceAll('$2', at(since))
      .replaceAll('$3', at(until))
      .replaceAll('$4', 'NULL::text')
      .replaceAll(slice, String(w.slice))
      .replaceAll('$5', at(hours.from))
      .replaceAll('$6', at(hours.to));
  const statements = (kind === 'counted' ? [FIGURES_SQL, TIMELINE_SQL] : [RAW_FIGURES_SQL, RAW_TIMELINE_SQL]).map((q) => bind(q, '$7'));
  const start = performance.now();
  const child = spawn('psql', ['-X', '-q', databaseUrl, '-c', 'SET jit = off', '-c', "SET work_mem = '64MB'", ...statements.flatMap((q) => ['-c', q])], { stdio: ['ignore', 'ignore', 'inherit'] });
  return new Promise((resolve, reject) => child.on('close', (code) => (code === 0 ? resolve(performance.now() - start) : reject(new Error(`psql exited ${code}`)))));
}

async function page(url: string, cookie: string): Promise<{ ms: number; bytes: number; body: string }> {
  const start = performance.now();
  const res = await fetch(url, { headers: { cookie }, redirect: 'manual' });
  const body = await res.text();
  const ms = performance.now() - start;
  if (res.status !== 200) throw new Error(`${url}: ${res.status}\n${body.slice(0, 500)}`);
  return { ms, bytes: Buffer.byteLength(body), body };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main() {
  const db = await freshDatabase('console');
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  const idp = await startTestIdp({ redirectUris: ['http://127.0.0.1/console/callback'], accounts: {} });
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    let t = performance.now();
    await seedActions(pool, TENANT, ACTIONS, 0);
    await seedActions(pool, 'globex', Math.round(ACTIONS / 10), ACTIONS);
    const loadS = (performance.now() - t) / 1000;
    t = performance.now();
    // What the worker's sweep does every few seconds: the seed's deltas folded into the hourly counts.
    const folded = await foldActionCounts(pool);
    const foldS = (performance.now() - t) / 1000;
    const counts = Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM action_hour_counts')).rows[0]!.n);
    await pool.query('VACUUM ANALYZE actions');
    await pool.query('VACUUM ANALYZE action_payloads');
    await pool.query('VACUUM ANALYZE action_hour_counts');
    await pool.query('VACUUM ANALYZE review_durations');
    console.log(`seeded ${fmt(ACTIONS)} + ${fmt(ACTIONS / 10)} actions in ${loadS.toFixed(0)} s; folded ${fmt(folded ?? 0)} deltas into ${fmt(counts)} hourly counts in ${foldS.toFixed(1)} s`);

    server = await startServer({
      DATABASE_URL: db.url,
      POLICY_FILE: 'examples/policy.yml',
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: idp.clientId,
      OIDC_CLIENT_SECRET: idp.clientSecret,
      PUBLIC_URL: 'http://127.0.0.1',
    });
    const cookie = await sessionCookie(idp.issuer);
    const rows: string[] = [];
    const perRun: string[] = [];
    let slowest = 0;
    for (const w of WINDOWS) {
      const url = `${server.base}/console/t/${TENANT}/dashboard?window=${w.window}`;
      t = performance.now();
      const first = await page(url, cookie);
      if (w.window === '30d' && !first.body.includes(`<dt>Actions</dt><dd>${ACTIONS.toLocaleString('en')}</dd>`)) throw new Error('the dashboard did not count every action of the window');
      const runs: { pageMs: number; countedMs: number; rowsMs: number; load: number }[] = [];
      for (let i = 0; i < RUNS; i++) {
        const p = await page(url, cookie);
        const countedMs = await baseline(db.url, w, 'counted');
        const rowsMs = await baseline(db.url, w, 'rows');
        runs.push({ pageMs: p.ms, countedMs, rowsMs, load: os.loadavg()[0]! });
        console.log(`${w.window} run ${i + 1}: page ${fmt(p.ms)} ms (${fmt(p.bytes / 1024)} KiB), psql counted ${fmt(countedMs)} ms, psql from rows ${fmt(rowsMs)} ms, load ${os.loadavg()[0]!.toFixed(1)}`);
      }
      const pageMs = median(runs.map((r) => r.pageMs));
      const countedMs = median(runs.map((r) => r.countedMs));
      const rowsMs = median(runs.map((r) => r.rowsMs));
      slowest = Math.max(slowest, pageMs);
      rows.push(
        `| \`GET /console/t/${TENANT}/dashboard?window=${w.window}\` (${fmt(first.bytes / 1024)} KiB; first request ${fmt(first.ms)} ms) | **${fmt(pageMs)} ms** | ${fmt(countedMs)} ms (${(pageMs / countedMs).toFixed(2)}×) | ${fmt(rowsMs)} ms (${(pageMs / rowsMs).toFixed(2)}×) | < ${fmt(TARGET_MS)} ms |`,
      );
      perRun.push(`${w.window}: ${runs.map((r) => `${fmt(r.pageMs)}, ${fmt(r.countedMs)}, ${fmt(r.rowsMs)}; ${r.load.toFixed(1)}`).join(' | ')}`);
    }
    const loads = os.loadavg().map((l) => l.toFixed(1)).join(', ');
    const verdict = slowest <= TARGET_MS ? `**Target met** (slowest median ${fmt(slowest)} ms).` : `**Target missed** (slowest median ${fmt(slowest)} ms).`;
    await writeSection(
      'console',
      `## Console dashboard: \`npm run bench:console\`

Machine: ${machine()}; Postgres 15 on the same machine (autovacuum off in this machine's configuration: the bench runs \`VACUUM ANALYZE\` after seeding); load average ${loads} at the end of the run, on ${os.cpus().length} cores.
Data: ${fmt(ACTIONS)} actions of tenant ${TENANT} over 30 days plus ${fmt(ACTIONS / 10)} of another tenant, seeded as \`bench:report\` seeds them (${loadS.toFixed(0)} s, the count triggers included); the seed's deltas folded into ${fmt(counts)} hourly counts in ${foldS.toFixed(1)} s, as the worker's sweep folds them every 5 s. The server is \`src/main/start.ts\` in its own process; each request carries the session cookie of a signed-in auditor and is timed from the request to the last byte of the page (figures, the chart's embedded data, the tables).

| page | median of ${RUNS} | baseline: the page's two statements through \`psql\` (page / it) | the same figures from the action rows through \`psql\` (page / it) | target |
|---|---|---|---|---|
${rows.join('\n')}

Per run (page ms, psql counted ms, psql from rows ms; load average): ${perRun.join('; ')}.
${verdict} The page reads the window's whole UTC hours from the hourly counts (kept by triggers on \`actions\` in the transaction of every change, folded by the worker), its partial hours at the edges from the actions themselves, and the time to decision from the durations of reviewed actions (exact percentiles), in one read-only snapshot. Knobs: \`BENCH_ACTIONS\`, \`BENCH_RUNS\`.`,
    );
    console.log('written to BENCHMARKS.md');
  } finally {
    await server?.stop();
    await idp.close();
    await pool.end();
    await db.drop();
  }
}

await main();
