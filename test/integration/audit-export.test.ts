import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditChainDb, type AuditChainDb } from '../support/audit-chain.js';
import { TEST_SECRET } from '../support/secret.js';

let chain: AuditChainDb;
const SEALED = 3000;

/**
 * `airlock audit export` piped into `reader` (a real OS pipe between two child
 * processes, as in a shell pipeline); resolves with both exit codes, the
 * reader's stdout and the exporter's stderr.
 */
function exportInto(tenant: string, reader: string[]) {
  const exporter = spawn('node', ['--import', 'tsx', 'src/main/cli.ts', 'audit', 'export', '--tenant', tenant], {
    env: { ...process.env, DATABASE_URL: chain.db.url, POLICY_FILE: 'examples/policy.yml', AIRLOCK_SECRET: TEST_SECRET, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const consumer = spawn(reader[0]!, reader.slice(1), { stdio: [exporter.stdout, 'pipe', 'inherit'] });
  // Only the reader may hold the pipe's read end: were this process to keep it, the exporter would never see the reader go.
  exporter.stdout.destroy();
  let stderr = '';
  let output = '';
  exporter.stderr.on('data', (d) => (stderr += d));
  consumer.stdout!.on('data', (d) => (output += d));
  const exit = (p: ReturnType<typeof spawn>, event: 'exit' | 'close') => new Promise<number | null>((resolve) => p.on(event, (code) => resolve(code)));
  return Promise.all([exit(exporter, 'close'), exit(consumer, 'close')]).then(([exportCode, readerCode]) => ({ exportCode, readerCode, output, stderr }));
}

/** Reads stdin 16 KB at a time with pauses (at most about 3 MB/s), then prints how many lines it got and whether each parsed. */
const SLOW_READER = [
  'node',
  '-e',
  `let lines = 0, bad = 0, rest = '';
   process.stdin.pause();
   const tick = setInterval(() => {
     const chunk = process.stdin.read(16384) ?? process.stdin.read();
     if (chunk === null) return;
     const parts = (rest + chunk).split('\\n'); rest = parts.pop();
     for (const l of parts) { lines++; try { JSON.parse(l); } catch { bad++; } }
   }, 5);
   process.stdin.on('end', () => { clearInterval(tick); console.log(JSON.stringify({ lines, bad, rest: rest.length })); });
   process.stdin.on('readable', () => {});`,
];

beforeAll(async () => {
  chain = await auditChainDb();
  await chain.block('acme', SEALED);
}, 60_000);
afterAll(() => chain.close());

describe('audit export', () => {
  it('writes every line to a slow reader and exits 0 only after the last one', async () => {
    const r = await exportInto('acme', SLOW_READER);
    expect(r.stderr).toBe('');
    expect(r.exportCode).toBe(0);
    expect(JSON.parse(r.output)).toEqual({ lines: SEALED, bad: 0, rest: 0 });
  }, 60_000);

  it('exits non-zero, saying the export is incomplete, when the reader closes early', async () => {
    const r = await exportInto('acme', ['head', '-n', '1']);
    expect(r.readerCode).toBe(0);
    expect(JSON.parse(r.output)).toMatchObject({ seq: 1, tenant: 'acme' });
    expect(r.exportCode).toBe(1);
    expect(r.stderr).toMatch(/^airlock: audit export: could not write the output \(EPIPE\); the export is incomplete\n$/);
  }, 60_000);

  it('exits non-zero when the output cannot be written (a full disk)', async () => {
    const full = openSync('/dev/full', 'w');
    try {
      const exporter = spawn('node', ['--import', 'tsx', 'src/main/cli.ts', 'audit', 'export', '--tenant', 'acme'], {
        env: { ...process.env, DATABASE_URL: chain.db.url, POLICY_FILE: 'examples/policy.yml', AIRLOCK_SECRET: TEST_SECRET, LOG_LEVEL: 'warn' },
        stdio: ['ignore', full, 'pipe'],
      });
      let stderr = '';
      exporter.stderr!.on('data', (d) => (stderr += d));
      const code = await new Promise<number | null>((resolve) => exporter.on('close', resolve));
      expect(code).toBe(1);
      expect(stderr).toMatch(/^airlock: audit export: could not write the output \(ENOSPC[^\n]*\); the export is incomplete\n$/);
    } finally {
      closeSync(full);
    }
  }, 60_000);

  it('streams a large unsealed tail after the chain, in sealing order', async () => {
    // A transaction left open holds back sealing: events written after it began cannot be sealed yet.
    const holder = new pg.Client({ connectionString: chain.db.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_current_xact_id()');
      await chain.insert('globex', 2500);
      const r = await exportInto('globex', ['node', '-e', `let t = ''; process.stdin.on('data', (d) => (t += d)).on('end', () => { const l = t.trim().split('\\n').map((x) => JSON.parse(x)); console.log(JSON.stringify({ n: l.length, sealed: l.filter((x) => x.seq !== null).length, ordered: l.every((x, i) => i === 0 || Number(x.id) > Number(l[i - 1].id)), i: l[0].data.i })); });`]);
      expect(r.exportCode).toBe(0);
      expect(JSON.parse(r.output)).toEqual({ n: 2500, sealed: 0, ordered: true, i: 1 });
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
  }, 60_000);
});
