import { formatMicros } from './audit-hashes.js';
import type { CopyRow } from './copy-binary-rows.js';
import type { JsonLinesWriter } from './json-lines-writer.js';

/**
 * One event as `audit export` prints it and the audit sink sends it:
 * `{id, seq, tenant, kind, action_id, at, data, block, hash}` and a line
 * break, from a COPY row of (block, first_seq, position in the block, content
 * hash: NULL for an event not sealed yet; then the event row's id, kind,
 * action_id, at, data: NULL when the row is gone). `data` is written as stored (the json text the event hash covers)
 * and `at` with its microseconds; `seq`, `block` and `hash` are null for an
 * event not sealed yet. Writes nothing and returns false for an entry whose
 * event row is gone (`audit verify` names those).
 */
export function writeEventLine(writer: JsonLinesWriter, tenantJson: string, r: CopyRow): boolean {
  if (r.isNull(4)) return false;
  const sealed = !r.isNull(0);
  writer.text(
    `{"id":"${r.int8(4)}","seq":${sealed ? r.int8(1) + r.int8(2) - 1 : 'null'},"tenant":${tenantJson},"kind":${JSON.stringify(r.text(5))},` +
      `"action_id":${r.isNull(6) ? 'null' : `"${r.uuid(6)}"`},"at":"${formatMicros(r.signedInt8(7))}","data":`,
  );
  writer.rowField(r, 8);
  writer.text(sealed ? `,"block":${r.int8(0)},"hash":"${r.bytes(3).toString('hex')}"}\n` : ',"block":null,"hash":null}\n');
  return true;
}
