import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockHash, EventHasher, formatMicros } from '../../src/infra/postgres/audit-hashes.js';
import { auditChainDb, type AuditChainDb } from '../support/audit-chain.js';
import { waitFor } from '../support/wait-for.js';

/**
 * Sealing hashes events in SQL (airlock_audit_event_hash) and `audit verify`
 * recomputes them in Node (audit-hashes.ts): the two must agree on every
 * event Airlock can write, or an honest chain would fail verification.
 */
let c: AuditChainDb;
beforeAll(async () => {
  c = await auditChainDb();
});
afterAll(() => c.close());

const HOSTILE: unknown[] = [
  {},
  [],
  { quote: 'a "b" \\ c', controls: '\u0001\b\f\n\r\t\u001f\u007f', slash: '</script>', unicode: 'é ✓ 😀 \u2028 \u2029 \ufeff' },
  { numbers: [0, -1, 1.5, 1e21, 123456789012345678, 0.1 + 0.2], flags: [true, false, null] },
  { nested: { deep: [{ a: [[], {}] }] }, 'key with "quotes"': 1, '': 'empty key' },
  { long: 'x'.repeat(70_000) },
];

describe('audit hashes', () => {
  it('computes the same event hash as the database, for JSON written as text and as jsonb', async () => {
    for (const [i, data] of HOSTILE.entries()) {
      const json = JSON.stringify(data);
      // Text parameters (most writers) and jsonb cast on insert (the intake batch writer) store different texts.
      await c.pool.query(`INSERT INTO audit_events (tenant_id, kind, action_id, at, data) VALUES ('acme', 'decision', $1, now(), $2)`, [i % 2 ? null : '6f1c3c3e-0d5b-4a53-9f7e-2f9e4ad1d0aa', json]);
      await c.pool.query(`INSERT INTO audit_events (tenant_id, kind, action_id, at, data) SELECT 'acme', $2, NULL, '1999-12-31T23:59:59.999999Z', $1::jsonb`, [json, i % 2 ? 'admin_change' : 'odd "kind"\t']);
    }
    const { rows } = await c.pool.query<{ id: number; kind: string; action_id: string | null; micros: string; data: string; h: Buffer }>(
      `SELECT id, kind, action_id::text, ((extract(epoch FROM at) - 946684800) * 1000000)::bigint::text AS micros, data::text AS data, airlock_audit_event_hash(e) AS h
       FROM audit_events e WHERE tenant_id = 'acme' ORDER BY id`,
    );
    expect(rows).toHaveLength(HOSTILE.length * 2);
    const hasher = new EventHasher('acme');
    for (const r of rows) {
      expect(hasher.hash(String(r.id), r.kind, r.action_id, formatMicros(Number(r.micros)), Buffer.from(r.data)).toString('hex'), r.data.slice(0, 80)).toBe(r.h.toString('hex'));
    }
    // And the byte-by-byte path `audit verify` takes over COPY rows agrees too.
    // (A seal takes only events older than every running transaction of the cluster: other test files' too.)
    const verified = await waitFor(async () => {
      await c.audit.seal('acme');
      const v = await c.audit.verify('acme');
      return v.checked === HOSTILE.length * 2 && v;
    }, { what: 'the hostile events sealed', timeoutMs: 30_000 });
    expect(verified).toMatchObject({ ok: true, problems: [] });
  });

  it('computes the same block hash as the database', async () => {
    const hashes = [Buffer.alloc(32, 1), Buffer.alloc(32, 0xab)];
    const { rows } = await c.pool.query<{ h: string }>('SELECT airlock_audit_block_hash($1, 7, 101, $2, $3::bytea[]) AS h', ['acme', 'f'.repeat(64), hashes]);
    expect(blockHash('acme', 7, 101, 'f'.repeat(64), hashes)).toBe(rows[0]!.h);
  });
});
