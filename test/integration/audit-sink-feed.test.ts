import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgAuditFeed } from '../../src/infra/postgres/audit-sink-feed.js';
import { createPool } from '../../src/infra/postgres/pool.js';
import type { AuditFeedBatch, AuditFeedLease } from '../../src/ports/audit-sink.js';
import { auditChainDb, type AuditChainDb } from '../support/audit-chain.js';

let chain: AuditChainDb;

/** The events of a batch, parsed. */
const eventsOf = (batch: AuditFeedBatch) => JSON.parse(`[${batch.events.toString('utf8')}]`) as { seq: number; tenant: string }[];

describe('audit sink feed', () => {
  beforeAll(async () => {
    chain = await auditChainDb();
    // Several blocks, so reads cross block boundaries.
    for (let i = 0; i < 3; i++) await chain.block('acme', 400);
    await chain.block('globex', 30);
  }, 120_000);
  afterAll(() => chain.close());

  it('lets one process at a time ship a tenant, and frees it when that process dies', async () => {
    const other = createPool(chain.db.url, 2);
    // Released in `finally` too: a failed expectation must not leave the pool's end waiting for it.
    let taken: AuditFeedLease | undefined;
    try {
      const feed = new PgAuditFeed(chain.pool);
      const rival = new PgAuditFeed(other);
      const lease = (await feed.claim('acme'))!;
      expect(lease).toBeDefined();
      expect(await rival.claim('acme')).toBeUndefined();
      // Another tenant is not held by it.
      const globex = (await rival.claim('globex'))!;
      expect(globex).toBeDefined();
      await globex.release();
      await lease.release();
      taken = await rival.claim('acme');
      expect(taken).toBeDefined();
      // The holder's connection dies (a killed process): the lock goes with it once the backend has exited
      // (termination is a signal: pg_terminate_backend waits up to 10 s for the exit with a timeout given).
      const { rows } = await chain.pool.query(
        `SELECT pg_terminate_backend(l.pid, 10000) AS gone FROM pg_locks l JOIN pg_database d ON d.oid = l.database
         WHERE l.locktype = 'advisory' AND l.objsubid = 2 AND d.datname = current_database() AND l.pid <> pg_backend_pid()`,
      );
      expect(rows).toEqual([{ gone: true }]);
      const after = await feed.claim('acme');
      expect(after).toBeDefined();
      await after!.release();
    } finally {
      await taken?.release();
      await other.end();
    }
  });

  it('reads on past unacknowledged batches, and a new lease starts again after the last acknowledged one', async () => {
    const feed = new PgAuditFeed(chain.pool);
    const lease = (await feed.claim('acme'))!;
    const first = (await lease.next(500, 1024 * 1024))!;
    const second = (await lease.next(500, 1024 * 1024))!;
    expect([first.firstSeq, first.lastSeq, first.count]).toEqual([1, 500, 500]);
    expect([second.firstSeq, second.lastSeq, second.count]).toEqual([501, 1000, 500]);
    expect(eventsOf(second).map((e) => e.seq)).toEqual(Array.from({ length: 500 }, (_, i) => 501 + i));
    await lease.acknowledge(first);
    await lease.release();

    const again = (await feed.claim('acme'))!;
    const resent = (await again.next(500, 1024 * 1024))!;
    expect([resent.firstSeq, resent.lastSeq]).toEqual([501, 1000]);
    await again.acknowledge(resent);
    const last = (await again.next(500, 1024 * 1024))!;
    expect([last.firstSeq, last.lastSeq]).toEqual([1001, 1200]);
    await again.acknowledge(last);
    expect(await again.next(500, 1024 * 1024)).toBeUndefined();
    await again.release();
    expect(await feed.tenantsBehind()).toEqual(['globex']);
  });

  it('keeps a batch within its byte bound, and sends an event larger than the bound alone', async () => {
    const feed = new PgAuditFeed(chain.pool);
    const lease = (await feed.claim('globex'))!;
    try {
      const small = (await lease.next(500, 5_000))!;
      expect(small.events.length).toBeLessThanOrEqual(5_000);
      expect(small.count).toBeGreaterThan(1);
      expect(eventsOf(small)).toHaveLength(small.count);
      const alone = (await lease.next(500, 10))!;
      expect([alone.count, alone.firstSeq]).toEqual([1, small.lastSeq + 1]);
    } finally {
      await lease.release();
    }
  });

  it('shows an event deleted behind the chain as a hole in the batch, not as the end of it', async () => {
    await chain.block('initech', 10);
    await chain.tamper(
      "DELETE FROM audit_events WHERE id = (SELECT event_ids[4] FROM audit_blocks WHERE tenant_id = 'initech' AND block = 1)",
    );
    const feed = new PgAuditFeed(chain.pool);
    const lease = (await feed.claim('initech'))!;
    try {
      const batch = (await lease.next(500, 1024 * 1024))!;
      expect([batch.firstSeq, batch.lastSeq, batch.count]).toEqual([1, 10, 9]);
      expect(eventsOf(batch).map((e) => e.seq)).toEqual([1, 2, 3, 5, 6, 7, 8, 9, 10]);
    } finally {
      await lease.release();
    }
  });
});
