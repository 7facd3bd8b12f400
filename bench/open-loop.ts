import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { percentile } from './lib.js';

export type Stats = { p50: number; p99: number; max: number; n: number };

export function stats(xs: number[]): Stats {
  if (xs.length === 0) return { p50: NaN, p99: NaN, max: NaN, n: 0 };
  const s = [...xs].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p99: percentile(s, 99), max: s[s.length - 1]!, n: s.length };
}

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
export async function openLoop(count: number, rate: number, fire: (i: number) => void, start = performance.now()) {
  for (let i = 0; i < count; i++) {
    const wait = start + (i * 1000) / rate - performance.now();
    if (wait >= 1) await sleep(wait);
    fire(i);
  }
}

/** Polls `check` until it holds (true) or the deadline passes (false). */
export async function until(check: () => boolean | Promise<boolean>, deadlineMs: number, intervalMs = 50) {
  const deadline = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > deadline) return false;
    await sleep(intervalMs);
  }
  return true;
}
