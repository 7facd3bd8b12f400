import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/**
 * pgbench, the strongest baseline for database work: what Postgres on this
 * machine commits per second for the same rows Airlock writes.
 */
export interface PgbenchResult {
  tps: number;
  latencyMs: number;
}

/** Runs a custom pgbench script (prepared statements, no vacuum) and parses its summary. */
export async function pgbench(url: string, script: string, opts: { clients: number; seconds: number }): Promise<PgbenchResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'airlock-pgbench-'));
  const file = path.join(dir, 'script.sql');
  await writeFile(file, script);
  const u = new URL(url);
  const args = ['-n', '-M', 'prepared', '-c', String(opts.clients), '-j', String(Math.min(opts.clients, os.cpus().length)), '-T', String(opts.seconds), '-f', file,
    '-h', u.hostname, '-p', u.port || '5432', '-U', decodeURIComponent(u.username || 'postgres'), u.pathname.slice(1)];
  const out = await new Promise<string>((resolve, reject) => {
    const p = spawn('pgbench', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    p.stdout.on('data', (d) => (text += d));
    p.stderr.on('data', (d) => (text += d));
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`pgbench exited ${code}: ${text.slice(-2000)}`))));
  });
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(out);
  const lat = /latency average = ([\d.]+) ms/.exec(out);
  if (!tps || !lat) throw new Error(`could not read pgbench output: ${out.slice(-2000)}`);
  return { tps: Number(tps[1]), latencyMs: Number(lat[1]) };
}

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

/**
 * pgbench reads `:name` anywhere in a script as a variable, string literals
 * included; a copied value such as `{"reviewer":null}` would break the script.
 * The colon is written as the escape `\072` of an E'' literal instead (the
 * same value; quote_literal already doubles any backslash in one).
 */
function hideColons(literal: string): string {
  if (!/:[A-Za-z0-9_]/.test(literal)) return literal;
  return (literal.startsWith("E'") ? literal : `E${literal}`).replace(/:/g, '\\072');
}

/**
 * An INSERT of a copy of one stored row, every value a literal except those
 * given as SQL expressions (`replace`); columns filled by their defaults
 * (sequences, transaction ids) are left to them, as Airlock leaves them.
 */
export async function insertCopying(pool: pg.Pool, table: string, where: string, replace: Record<string, string>): Promise<string> {
  const { rows: columns } = await pool.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns
     WHERE table_schema = 'public' AND table_name = $1
       AND (column_default IS NULL OR (column_default NOT LIKE 'nextval(%' AND column_default NOT LIKE 'pg_current_xact_id(%'))
     ORDER BY ordinal_position`,
    [table],
  );
  const names = columns.map((c) => c.column_name);
  const { rows } = await pool.query<Record<string, string>>(
    `SELECT ${names.map((n) => `quote_nullable(${ident(n)}::text) AS ${ident(n)}`).join(', ')} FROM ${ident(table)} WHERE ${where} LIMIT 1`,
  );
  if (!rows[0]) throw new Error(`no ${table} row where ${where}`);
  const values = names.map((n) => replace[n] ?? hideColons(rows[0]![n]!));
  return `INSERT INTO ${ident(table)} (${names.map(ident).join(', ')}) VALUES (${values.join(', ')})`;
}
