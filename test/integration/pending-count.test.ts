import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PgActionStore } from '../../src/infra/postgres/action-repository.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

/**
 * Queued intake asks for its reviewer group's pending count on every request;
 * at 100 requests a second that must stay one bounded query per group per
 * second, not one per request (issue 13 point 4).
 */
let db: TestDatabase;
let pool: pg.Pool;
let counts = 0;
beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  const query = pool.query.bind(pool) as (...a: unknown[]) => Promise<unknown>;
  (pool as unknown as { query: (...a: unknown[]) => Promise<unknown> }).query = (...a: unknown[]) => {
    if ((a[0] as { name?: string } | undefined)?.name === 'airlock_pending_count') counts++;
    return query(...a);
  };
});
afterAll(async () => {
  vi.restoreAllMocks();
  await pool.end();
  await db.drop();
});

describe('pending count', () => {
  it('coalesces concurrent refreshes and answers from a recent count while one runs', async () => {
    const store = new PgActionStore(pool);
    const first = await Promise.all(Array.from({ length: 20 }, () => store.pendingCount('acme', 'leads', 500)));
    expect(first).toEqual(Array(20).fill(0));
    expect(counts).toBe(1);

    // Past the reuse window: every caller answers at once from the last count, one refresh runs behind them.
    const now = Date.now();
    vi.spyOn(Date, 'now').mockReturnValue(now + 1_500);
    const stale = await Promise.all(Array.from({ length: 20 }, () => store.pendingCount('acme', 'leads', 500)));
    expect(stale).toEqual(Array(20).fill(0));
    expect(counts).toBe(2);

    // Long past it: callers wait for one shared count (or the one still running).
    vi.spyOn(Date, 'now').mockReturnValue(now + 60_000);
    await Promise.all(Array.from({ length: 20 }, () => store.pendingCount('acme', 'leads', 500)));
    expect(counts).toBeLessThanOrEqual(3);
  });
});
