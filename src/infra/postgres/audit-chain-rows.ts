import type { PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { forEachCopyRow, type CopyRow } from './copy-binary-rows.js';

/**
 * Reads the rows of one `COPY (query) TO STDOUT (FORMAT binary)` on `client`
 * (COPY takes no bind parameters: callers build the query with `literal`).
 * The COPY pauses with the consumer: when the caller stops pulling, the
 * socket is not read and Postgres waits, so memory stays flat however slow the
 * consumer is. A consumer that stops early must release `client` with an
 * error (the connection is still inside the COPY).
 */
export function copyRows(client: PoolClient, query: string, onRow: (row: CopyRow) => void, afterChunk?: () => Promise<void>): Promise<number> {
  const stream = client.query(copyTo(`COPY (${query}) TO STDOUT (FORMAT binary)`, { highWaterMark: 256 * 1024 }));
  return forEachCopyRow(stream, onRow, afterChunk);
}

/** A string as an SQL literal (for COPY, which cannot take parameters). */
export const literal = (client: PoolClient, value: string): string => client.escapeLiteral(value);

/** A non-negative integer for inlining into SQL, checked (never text from outside). */
export function integer(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`not a non-negative integer: ${n}`);
  return String(n);
}

/** An (xid, id) position in a tenant's sealing order, as SQL. */
export const position = (p: { xid: number; id: number }): string => `(${integer(p.xid)}::text::xid8, ${integer(p.id)}::bigint)`;

/**
 * Statements reading the chain run with these: without statistics (a fresh
 * table, or autovacuum off) the planner may pick a hash or merge join, or a
 * scan and a sort, that reads every tenant's events or sorts a whole chain
 * before the first row streams; index scans read only the tenant's rows,
 * already in order (blocks by number, events by (xid, id)).
 */
export const CHAIN_READ_SETTINGS =
  'SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off; SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off; SET LOCAL jit = off';
