import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { createQueueFactory } from '../src/infra/queue/backend.js';
import { REDIS_URL, percentile, startServer } from './lib.js';

/** What the chat benchmarks (bench/slack.ts, bench/teams.ts) share: the server, load generation, statistics, child processes, the queue-only baseline. */

export type Backend = 'redis' | 'postgres';
export type Stats = { p50: number; p99: number; max: number; n: number };

export const STRAGGLER_MS = 30_000;
/** The Redis database the chat benchmarks use (flushed before and after each run). */
export const REDIS_DB = 12;

export function assertLocal(what: string, url: string) {
  const host = new URL(url).hostname;
  if (host !== '127.0.0.1') throw new Error(`${what} must point at 127.0.0.1 (got ${host}); this benchmark targets nothing else`);
}

export function stats(xs: number[]): Stats {
  if (xs.length === 0) return { p50: NaN, p99: NaN, max: NaN, n: 0 };
  const s = [...xs].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p99: percentile(s, 99), max: s[s.length - 1]!, n: s.length };
}

export const f = (x: number) => (Number.isFinite(x) ? (x < 10 ? x.toFixed(1) : x.toFixed(0)) : '—');

const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** One POST over a keep-alive connection to 127.0.0.1. */
export function post(url: string, headers: Record<string, string>, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent: keepAlive, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Open loop: call `fire(i)` at start + i/rate, whether or not earlier
 * requests have answered; late ticks fire at once (no coordinated omission).
 */
export async function openLoop(count: number, rate: number, fire: (i: number) => void, start: number) {
  for (let i = 0; i < count; i++) {
    const wait = start + (i * 1000) / rate - performance.now();
    if (wait >= 1) await sleep(wait);
    fire(i);
  }
}

export async function until(check: () => boolean | Promise<boolean>, deadlineMs: number, intervalMs = 50) {
  const deadline = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > deadline) return false;
    await sleep(intervalMs);
  }
  return true;
}

/** Children this bench started; ended when the bench is interrupted or fails. */
export const children = new Set<ChildProcess>();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const c of children) c.kill('SIGTERM');
    process.exit(130);
  });
}

/** Ends a child this bench started: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopChild(proc: ChildProcess, graceful: () => void, graceMs = 15_000) {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  graceful();
  const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export function redisDbUrl() {
  const u = new URL(REDIS_URL);
  u.pathname = `/${REDIS_DB}`;
  return u.toString();
}

export async function flushRedis(url: string) {
  const r = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  await r.connect();
  await r.flushdb();
  r.disconnect();
}

/** Jobs added at `rate`/s for `seconds` by a Queue here, picked up by a Worker in a child process: add called → processor starts. */
export async function queueBaseline(backend: Backend, url: string, rate: number, seconds: number): Promise<{ stats: Stats; jobs: number }> {
  const name = 'bench-baseline';
  const child = spawn('node', ['--import', 'tsx', 'bench/queue-worker.ts'], {
    env: { ...process.env, BENCH_QUEUE_KIND: backend, BENCH_QUEUE_URL: url, BENCH_QUEUE_NAME: name },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(child);
  const picked = new Map<number, number>();
  const factory = await createQueueFactory(backend === 'redis' ? { kind: 'redis', url } : { kind: 'postgres', url });
  try {
    await new Promise<void>((resolve, reject) => {
      child.on('message', (m: { ready?: boolean; i?: number; at?: number }) => {
        if (m.ready) resolve();
        else if (m.i !== undefined && m.at !== undefined) picked.set(m.i, m.at);
      });
      child.once('exit', (code) => reject(new Error(`queue worker exited (${code})`)));
      setTimeout(() => reject(new Error('queue worker not ready after 60 s')), 60_000).unref();
    });
    const queue = factory.queue<{ i: number }>(name);
    await queue.waitUntilReady();
    const added = new Map<number, number>();
    const add = (i: number) => {
      added.set(i, Date.now());
      void queue.add('job', { i }, { removeOnComplete: true, removeOnFail: 1000, attempts: 8, backoff: { type: 'exponential', delay: 500 } }).catch(() => undefined);
    };
    // Warm-up, not measured.
    for (let i = -1; i >= -20; i--) add(i);
    await until(() => [...added.keys()].every((i) => picked.has(i)), STRAGGLER_MS);
    const count = seconds * rate;
    await openLoop(count, rate, add, performance.now());
    await until(() => picked.size >= count + 20, STRAGGLER_MS);
    const lat: number[] = [];
    for (let i = 0; i < count; i++) {
      const at = picked.get(i);
      if (at !== undefined) lat.push(at - added.get(i)!);
    }
    return { stats: stats(lat), jobs: count };
  } finally {
    await stopChild(child, () => child.send('stop'));
    children.delete(child);
    await factory.close();
  }
}

/** One action submitted through the API: when it was sent and answered. */
export interface Submitted {
  sentAt: number;
  t0: number;
  responseMs: number;
  status: number;
  id?: string;
}

/** Submits actions open-loop (`POST /v1/actions` with an agent key) and records when each was sent and answered. */
export class Submitter {
  readonly inflight: Promise<unknown>[] = [];
  private readonly headers: Record<string, string>;

  constructor(
    private readonly base: string,
    auth: string,
  ) {
    this.headers = { authorization: auth, 'content-type': 'application/json' };
  }

  submit(action: Record<string, unknown>, into: Submitted[]) {
    const rec: Submitted = { sentAt: Date.now(), t0: performance.now(), responseMs: NaN, status: 0 };
    into.push(rec);
    this.inflight.push(
      post(`${this.base}/v1/actions`, this.headers, JSON.stringify(action)).then(
        (r) => {
          rec.responseMs = performance.now() - rec.t0;
          rec.status = r.status;
          if (r.status === 201) rec.id = (JSON.parse(r.body) as { id: string }).id;
        },
        () => {
          rec.status = -1;
        },
      ),
    );
  }

  settled() {
    return Promise.all(this.inflight.splice(0));
  }
}

/** `npm start` (role all, on 127.0.0.1, no public URL) for one run; `stop` ends it, once, however often it is called. */
export async function startBenchServer(env: Record<string, string>) {
  const server = await startServer({ PUBLIC_URL: '', HOST: '127.0.0.1', AIRLOCK_ROLE: 'all', ...env });
  children.add(server.proc);
  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= stopChild(server.proc, () => server.proc.kill('SIGTERM')).then(() => void children.delete(server.proc)));
  return { ...server, stop };
}

/** Runs a bench's `main`: exit 0, or print the error, end every child it started and exit 1. */
export function runBench(main: () => Promise<void>) {
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      for (const c of children) c.kill('SIGTERM');
      process.exit(1);
    },
  );
}
