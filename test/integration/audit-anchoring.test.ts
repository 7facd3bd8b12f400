import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { auditChainDb, type AuditChainDb } from '../support/audit-chain.js';
import { runCli } from '../support/run-cli.js';

/**
 * What someone with superuser access to the database can do to the trail, and
 * what `audit verify` then says. The chain key comes from AIRLOCK_SECRET,
 * which the database never holds.
 */
const chains: AuditChainDb[] = [];
afterEach(async () => {
  await Promise.all(chains.splice(0).map((c) => c.close()));
});

/** A chain of acme's events sealed as `blocks` separate blocks of `perBlock` events. */
async function chainOf(blocks: number, perBlock = 5): Promise<AuditChainDb> {
  const c = await auditChainDb();
  chains.push(c);
  for (let i = 0; i < blocks; i++) await c.block('acme', perBlock);
  return c;
}

const cli = (c: AuditChainDb, args: string[], env: Record<string, string> = {}) =>
  runCli(['audit', ...args], { DATABASE_URL: c.db.url, POLICY_FILE: 'examples/policy.yml', LOG_LEVEL: 'warn', ...env });

const summary = (r: { stdout: string; stderr: string; code: number }) => {
  const line = r.stdout.trim().split('\n').pop()!;
  if (!line) throw new Error(`no summary on stdout (exit ${r.code}); stderr: ${r.stderr}`);
  return JSON.parse(line);
};

describe('audit trail anchoring', () => {
  it('verifies an honest chain, against every checkpoint kept, and since the latest one', async () => {
    const c = await chainOf(3);
    const first = await cli(c, ['checkpoint', '--tenant', 'acme']);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ tenant: 'acme', block: 3, seq: 15, hash: expect.stringMatching(/^[0-9a-f]{64}$/), mac: expect.stringMatching(/^[0-9a-f]{64}$/) });
    await c.block('acme', 5);
    const second = await cli(c, ['checkpoint', '--tenant', 'acme']);
    const file = join(tmpdir(), `airlock-checkpoints-${c.db.name}.jsonl`);
    // Another tenant's line in the same file is ignored.
    await writeFile(file, `${first.stdout}${second.stdout}${JSON.stringify({ ...JSON.parse(second.stdout), tenant: 'globex' })}\n`);

    const all = await cli(c, ['verify', '--tenant', 'acme', '--checkpoint', file]);
    expect(all.stderr).toBe('');
    expect(all.code).toBe(0);
    expect(summary(all)).toMatchObject({ ok: true, checked: 20, unsealed: 0, head: { block: 4, seq: 20 } });

    await c.block('acme', 4);
    const daily = await cli(c, ['verify', '--tenant', 'acme', '--since', file]);
    expect(daily.code).toBe(0);
    expect(summary(daily)).toMatchObject({ ok: true, checked: 4, since: { block: 4, seq: 20 }, head: { block: 5, seq: 24 } });
  }, 60_000);

  it('detects an event rewritten and every block recomputed with the database’s own hash functions', async () => {
    const c = await chainOf(3);
    await c.tamper(`
      UPDATE audit_events SET data = '{"tool": "forged"}' WHERE id = (SELECT event_ids[2] FROM audit_blocks WHERE tenant_id = 'acme' AND block = 1);
      DO $$
      DECLARE b record; prev text := encode(sha256(convert_to('airlock-audit-genesis:acme', 'UTF8')), 'hex'); hs bytea[]; h text;
      BEGIN
        FOR b IN SELECT block, first_seq, event_ids FROM audit_blocks WHERE tenant_id = 'acme' ORDER BY block LOOP
          SELECT array_agg(airlock_audit_event_hash(e) ORDER BY u.pos) INTO hs
            FROM unnest(b.event_ids) WITH ORDINALITY AS u(id, pos) JOIN audit_events e ON e.id = u.id;
          h := airlock_audit_block_hash('acme', b.block, b.first_seq, prev, hs);
          UPDATE audit_blocks SET event_hashes = hs, prev_hash = prev, hash = h WHERE tenant_id = 'acme' AND block = b.block;
          prev := h;
        END LOOP;
        UPDATE audit_chain_heads SET hash = prev WHERE tenant_id = 'acme';
      END $$;`);
    const v = await cli(c, ['verify', '--tenant', 'acme']);
    expect(v.code).toBe(1);
    expect(summary(v)).toMatchObject({ ok: false });
    // Every hash is consistent again: only the MACs, which need AIRLOCK_SECRET, give it away.
    expect(v.stderr).not.toMatch(/altered|prev_hash|chain head/);
    for (const b of [1, 2, 3]) expect(v.stderr).toContain(`block ${b}: its MAC does not match`);
    // Nor will a checkpoint vouch for the forged head.
    const cp = await cli(c, ['checkpoint', '--tenant', 'acme']);
    expect(cp.code).toBe(1);
    expect(cp.stdout).toBe('');
    expect(cp.stderr).toContain('the last block of acme\'s chain (block 3) does not match its hash and MAC');
  }, 60_000);

  it('detects a cut tail and a rewound chain head against a checkpoint, and cannot without one', async () => {
    const c = await chainOf(3);
    const kept = JSON.stringify(await c.audit.checkpoint('acme'));
    await c.tamper(`
      DELETE FROM audit_events WHERE id IN (SELECT unnest(event_ids) FROM audit_blocks WHERE tenant_id = 'acme' AND block = 3);
      DELETE FROM audit_blocks WHERE tenant_id = 'acme' AND block = 3;
      UPDATE audit_chain_heads h SET block = b.block, seq = b.first_seq + cardinality(b.event_ids) - 1, hash = b.hash, sealed_xid = e.xid, sealed_id = e.id
        FROM audit_blocks b JOIN audit_events e ON e.id = b.event_ids[cardinality(b.event_ids)]
        WHERE h.tenant_id = 'acme' AND b.tenant_id = 'acme' AND b.block = 2;`);
    // What is left is a valid, authenticated chain: the database alone cannot show what was cut (README: Audit trail).
    const alone = await cli(c, ['verify', '--tenant', 'acme']);
    expect(summary(alone)).toMatchObject({ ok: true, checked: 10 });

    const anchored = await cli(c, ['verify', '--tenant', 'acme', '--checkpoint', kept]);
    expect(anchored.code).toBe(1);
    expect(anchored.stderr).toMatch(/block 3, seq 15\): the chain ends at block 2 \(seq 10\): events after it were removed \(truncated\)/);

    // New events sealed over the cut make a new block 3: the checkpoint still tells it is not the one it saw.
    await c.block('acme', 5);
    const resealed = await cli(c, ['verify', '--tenant', 'acme', '--checkpoint', kept]);
    expect(resealed.code).toBe(1);
    expect(resealed.stderr).toMatch(/block 3 no longer has the hash the checkpoint recorded/);
    const since = await cli(c, ['verify', '--tenant', 'acme', '--since', kept]);
    expect(since.code).toBe(1);
    expect(since.stderr).toMatch(/no longer holds the --since checkpoint/);
  }, 60_000);

  it('detects a rewritten event even when the database’s hash function was replaced to hide it', async () => {
    const c = await chainOf(2);
    await c.tamper(`
      CREATE OR REPLACE FUNCTION airlock_audit_event_hash(e audit_events) RETURNS bytea LANGUAGE sql STABLE AS $f$
        SELECT u.h FROM audit_blocks b CROSS JOIN LATERAL unnest(b.event_ids, b.event_hashes) AS u(id, h) WHERE b.tenant_id = e.tenant_id AND u.id = e.id
      $f$;
      UPDATE audit_events SET data = '{"tool": "forged"}' WHERE id = (SELECT event_ids[3] FROM audit_blocks WHERE tenant_id = 'acme' AND block = 2);`);
    const v = await cli(c, ['verify', '--tenant', 'acme']);
    expect(v.code).toBe(1);
    expect(v.stderr).toMatch(/event \d+ \(seq 8\): content does not match its hash \(altered\)/);
  }, 60_000);

  it('detects an event slipped in among sealed ones, which no block lists', async () => {
    const c = await chainOf(2);
    // Dated (by transaction id) inside the sealed range: the sealer will never take it, export would never show it.
    await c.tamper(`INSERT INTO audit_events (tenant_id, kind, at, data, xid)
      SELECT 'acme', 'decision', now(), '{"tool": "forged"}', xid FROM audit_events WHERE tenant_id = 'acme' ORDER BY xid, id LIMIT 1`);
    const v = await c.audit.verify('acme');
    expect(v).toMatchObject({ ok: false, checked: 10 });
    expect(v.problems).toEqual([expect.stringMatching(/^event \d+: in no block, though older than sealed events \(inserted, or its xid changed\)$/)]);
  }, 60_000);

  it('reports a different AIRLOCK_SECRET, and a checkpoint that was edited', async () => {
    const c = await chainOf(1);
    const other = await cli(c, ['verify', '--tenant', 'acme'], { AIRLOCK_SECRET: 'another-secret-of-at-least-thirty-two-characters' });
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('no block carries a MAC made with this AIRLOCK_SECRET');
    const edited = { ...(await c.audit.checkpoint('acme')), seq: 4 };
    const v = await cli(c, ['verify', '--tenant', 'acme', '--checkpoint', JSON.stringify(edited)]);
    expect(v.code).toBe(1);
    expect(v.stderr).toMatch(/its MAC does not match \(edited, or made under another AIRLOCK_SECRET\)/);
  }, 60_000);

  it('refuses a tenant the policy does not declare instead of reporting an empty chain', async () => {
    const c = await auditChainDb();
    chains.push(c);
    for (const cmd of ['verify', 'export', 'checkpoint']) {
      const r = await cli(c, [cmd, '--tenant', 'acmee']);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('tenant "acmee" is not declared in the policy (examples/policy.yml); declared: acme, globex');
    }
  }, 60_000);
});
