import type { Writable } from 'node:stream';
import type { Pool, PoolClient } from 'pg';
import type { AuditExportFilter } from '../../ports/audit-log.js';
import { CHAIN_READ_SETTINGS, copyRows, literal, position } from './audit-chain-rows.js';
import { writeEventLine } from './audit-event-line.js';
import type { CopyRow } from './copy-binary-rows.js';
import { JsonLinesWriter } from './json-lines-writer.js';

/**
 * The tenant's sealed events in chain order: by block, then by position (an
 * index nested loop yields a block's entries in order; the writer checks, see
 * `exportJsonLines`). Entries whose event row is gone, or which the filter
 * leaves out (`keep`), come with NULLs and are skipped (verify names missing
 * ones): every entry still arrives, so its position still tells the order.
 */
const sealedQuery = (t: string, keep: string) => `
  SELECT b.block, b.first_seq, u.pos, u.h, e.id, e.kind, e.action_id, e.at, e.data
  FROM audit_blocks b
  CROSS JOIN LATERAL unnest(b.event_ids, b.event_hashes) WITH ORDINALITY AS u(id, h, pos)
  LEFT JOIN audit_events e ON e.tenant_id = b.tenant_id AND e.id = u.id${keep}
  WHERE b.tenant_id = ${t}
  ORDER BY b.block`;

/** Events after the sealing watermark that the filter keeps, in the order they will be sealed. */
const unsealedQuery = (t: string, after: string, keep: string) => `
  SELECT NULL::int8, NULL::int8, NULL::int8, NULL::bytea, e.id, e.kind, e.action_id, e.at, e.data
  FROM audit_events e
  WHERE e.tenant_id = ${t} AND (e.xid, e.id) > ${after}${keep}
  ORDER BY e.xid, e.id`;

/** The filter as conditions on the event `e` (` AND …` each; empty when there is none), values quoted as literals: COPY takes no parameters. */
function keepSql(client: PoolClient, f: AuditExportFilter): string {
  const field = (name: string, value: string | undefined) => (value === undefined ? '' : ` AND (e.data ->> '${name}') = ${literal(client, value)}`);
  return [
    f.since ? ` AND e.at >= ${literal(client, f.since.toISOString())}::timestamptz` : '',
    f.until ? ` AND e.at < ${literal(client, f.until.toISOString())}::timestamptz` : '',
    field('tool', f.tool),
    field('agent', f.agent),
    field('decision', f.decision),
    field('status', f.status),
  ].join('');
}

/**
 * `audit export`: one JSON object per line, `{id, seq, tenant, kind,
 * action_id, at, data, block, hash}`, sealed events in chain order and then
 * the unsealed ones with `seq`, `block` and `hash` null. `data` is written as
 * stored (the json text the event hash covers), and `at` with its
 * microseconds. Both parts are streamed (COPY) in one snapshot, so
 * memory stays flat whatever the size of the chain or of its unsealed tail,
 * and the reading pauses whenever `out` is full. With a filter, only the
 * events it keeps are written, with their place in the whole chain.
 */
export async function exportJsonLines(pool: Pool, tenant: string, out: Writable, filter: AuditExportFilter = {}): Promise<number> {
  const client = await pool.connect();
  const writer = new JsonLinesWriter(out);
  const tenantJson = JSON.stringify(tenant);
  let lines = 0;
  let broken = false;

  const line = (r: CopyRow) => {
    if (writeEventLine(writer, tenantJson, r)) lines += 1;
  };

  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query(CHAIN_READ_SETTINGS);
    const t = literal(client, tenant);
    const keep = keepSql(client, filter);
    const head = (await client.query<{ sealed_xid: string; sealed_id: number }>(
      'SELECT sealed_xid::text AS sealed_xid, sealed_id::float8 AS sealed_id FROM audit_chain_heads WHERE tenant_id = $1',
      [tenant],
    )).rows[0];
    broken = true; // leaving a COPY early leaves the connection unusable
    // Entries arrive block by block. Within a block they come in position
    // order from the nested loop; should one ever arrive early, it waits
    // (copied, at most one block's worth) until those before it are written.
    let block = -1;
    let next = 1;
    const early = new Map<number, Buffer>();
    const drainEarly = () => {
      for (let held = early.get(next); held; held = early.get(next)) {
        writer.bytes(held);
        early.delete(next);
        next += 1;
      }
    };
    const endBlock = () => {
      for (const pos of [...early.keys()].sort((a, b) => a - b)) writer.bytes(early.get(pos)!);
      early.clear();
    };
    await copyRows(
      client,
      sealedQuery(t, keep),
      (r) => {
        const b = r.int8(0);
        if (b !== block) {
          endBlock();
          block = b;
          next = 1;
        }
        const pos = r.int8(2);
        if (pos === next) {
          line(r);
          next += 1;
          drainEarly();
        } else {
          const mark = writer.mark();
          line(r);
          early.set(pos, writer.cut(mark));
        }
      },
      () => writer.flushIfFull(),
    );
    endBlock();
    const after = position(head ? { xid: Number(head.sealed_xid), id: head.sealed_id } : { xid: 0, id: 0 });
    await copyRows(client, unsealedQuery(t, after, keep), line, () => writer.flushIfFull());
    broken = false;
    await client.query('COMMIT');
    await writer.end();
    return lines;
  } catch (err) {
    writer.detach();
    throw err;
  } finally {
    client.release(broken);
  }
}
