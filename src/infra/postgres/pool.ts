import pg from 'pg';

// int8 (bigint) counters and sequence numbers stay far below 2^53 here.
pg.types.setTypeParser(20, (v) => Number(v));

export function createPool(connectionString: string, max = 20): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 30_000 });
  // A client losing its connection must not crash the process: pg emits 'error'
  // on clients between queries, and the pool only listens on idle ones. The
  // query in flight (if any) still fails and reaches the caller.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

const UNAVAILABLE_SQLSTATE = /^(08|53|57P)/;

/** True for errors that mean "the database cannot be reached right now" rather than a bug. */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | undefined;
  if (!e) return false;
  if (typeof e.code === 'string' && (UNAVAILABLE_SQLSTATE.test(e.code) || e.code.startsWith('E'))) return true;
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(e.message ?? '');
}
