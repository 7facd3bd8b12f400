import { createHash, hash as oneShotHash } from 'node:crypto';
import { sha256Hex } from '../../domain/canonical-json.js';
import type { CopyRow } from './copy-binary-rows.js';

/**
 * The audit chain's hashes, computed in this process. They reproduce the SQL
 * functions `airlock_audit_event_hash` (migration 0011) and
 * `airlock_audit_block_hash` (0004) byte for byte, so that `audit verify` never has
 * to trust a function stored in the database it is checking: anyone with
 * superuser rights can replace those with one that returns the old hash of a
 * rewritten row. Sealing still hashes events in SQL, where the rows are; a
 * replaced function there only produces hashes this code refuses.
 */

/** The hash the first block of a tenant's chain links to. */
export const genesisHash = (tenant: string): string => sha256Hex(`airlock-audit-genesis:${tenant}`);

/**
 * `concat_ws(':', tenant, block, first_seq, prev_hash, <event hashes in hex, comma-separated>)`, hashed.
 */
export function blockHash(tenant: string, block: number, firstSeq: number, prevHash: string, eventHashes: readonly Buffer[]): string {
  const h = createHash('sha256').update(`${tenant}:${block}:${firstSeq}:${prevHash}:`);
  for (let i = 0; i < eventHashes.length; i++) h.update(i === 0 ? eventHashes[i]!.toString('hex') : `,${eventHashes[i]!.toString('hex')}`);
  return h.digest('hex');
}

/** The same, with the event hashes given as one buffer of `n` × 32 bytes (as `audit verify` collects them). */
export function blockHashOfConcatenated(tenant: string, block: number, firstSeq: number, prevHash: string, hashes: Buffer, n: number): string {
  const hex = hashes.toString('hex', 0, n * 32);
  const parts = new Array<string>(n);
  for (let i = 0; i < n; i++) parts[i] = hex.slice(i * 64, i * 64 + 64);
  return createHash('sha256').update(`${tenant}:${block}:${firstSeq}:${prevHash}:${parts.join(',')}`).digest('hex');
}

/** Postgres stores timestamps as microseconds since 2000-01-01 UTC. */
const PG_EPOCH_MS = 946_684_800_000;

/**
 * `to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')` from the
 * binary timestamp. Years outside 1..9999 format differently in Postgres; no
 * event Airlock writes has one, and such a row then fails verification.
 */
export function formatMicros(micros: number): string {
  const seconds = Math.floor(micros / 1e6);
  const frac = micros - seconds * 1e6;
  // Consecutive events mostly share their second: format it once.
  if (seconds !== lastSecond) {
    lastSecond = seconds;
    lastSecondText = new Date(seconds * 1000 + PG_EPOCH_MS).toISOString().slice(0, 19);
  }
  return `${lastSecondText}.${String(frac).padStart(6, '0')}Z`;
}
let lastSecond = Number.NaN;
let lastSecondText = '';

const HEX = Buffer.from('0123456789abcdef', 'latin1');

/** True when text needs no JSON escaping (no control character, quote or backslash). */
function plainJsonText(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c < 0x20 || c === 0x22 || c === 0x5c) return false;
  }
  return true;
}

/**
 * Hashes of one tenant's events: the SHA-256 of `[id, "tenant", "kind",
 * "action_id" or null, "at", data]` (migration 0011; before it, the same text
 * as jsonb_build_array rendered it). Strings are escaped as JSON.stringify
 * does, which is Postgres' escaping too (its text holds neither NUL nor lone
 * surrogates); `data` is the stored json text, hashed as received.
 */
export class EventHasher {
  private readonly tenantJson: string;
  /** `, "tenant", ` and `, "<the second of the last timestamp>.`, as bytes, for hashCopyRow. */
  private readonly tenantPart: Buffer;
  private atSecond = Number.NaN;
  private atPart = Buffer.alloc(0);
  private readonly kinds = new Map<string, string>();
  /** One buffer per hasher for the hashed text: one hash call per event, no allocation but the digest. */
  private scratch = Buffer.allocUnsafe(64 * 1024);

  constructor(tenant: string) {
    this.tenantJson = JSON.stringify(tenant);
    this.tenantPart = Buffer.from(`, ${this.tenantJson}, `, 'utf8');
  }

  /** `data` is the jsonb text (UTF-8), `actionId` the uuid as text or null. */
  hash(id: string, kind: string, actionId: string | null, at: string, data: Buffer | string): Buffer {
    let kindJson = this.kinds.get(kind);
    if (kindJson === undefined) {
      kindJson = JSON.stringify(kind);
      if (this.kinds.size < 64) this.kinds.set(kind, kindJson);
    }
    const prefix = `[${id}, ${this.tenantJson}, ${kindJson}, ${actionId === null ? 'null' : `"${actionId}"`}, "${at}", `;
    const dataLength = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    const need = prefix.length * 3 + dataLength + 1;
    if (need > this.scratch.length) this.scratch = Buffer.allocUnsafe(need * 2);
    let n = this.scratch.write(prefix, 0, 'utf8');
    n += typeof data === 'string' ? this.scratch.write(data, n, 'utf8') : data.copy(this.scratch, n);
    this.scratch[n++] = 0x5d; // ]
    return oneShotHash('sha256', this.scratch.subarray(0, n), 'buffer');
  }

  /**
   * The same hash, assembled byte by byte from a COPY row of `audit verify`
   * (id given, then the kind, action_id uuid, at timestamptz and data json
   * fields): it runs once per event walked, so it avoids building strings.
   * The digest is written into `target` at `offset` (as latin1 text, which
   * costs less than a new Buffer per event).
   */
  hashCopyRowInto(id: number, r: CopyRow, kind: number, action: number, at: number, data: number, target: Buffer, offset: number): void {
    const kindLen = r.len[kind]!;
    const need = 128 + this.tenantPart.length + kindLen * 6 + r.len[data]!;
    if (need > this.scratch.length) this.scratch = Buffer.allocUnsafe(need * 2);
    const s = this.scratch;
    let n = 0;
    s[n++] = 0x5b; // [
    n += s.write(String(id), n, 'latin1');
    n += this.tenantPart.copy(s, n);
    const ks = r.start[kind]!;
    if (plainJsonText(r.buf, ks, ks + kindLen)) {
      s[n++] = 0x22;
      n += r.buf.copy(s, n, ks, ks + kindLen);
      s[n++] = 0x22;
    } else {
      n += s.write(JSON.stringify(r.text(kind)), n, 'utf8');
    }
    s[n++] = 0x2c;
    s[n++] = 0x20;
    if (r.isNull(action)) {
      n += s.write('null', n, 'latin1');
    } else {
      const as = r.start[action]!;
      s[n++] = 0x22;
      for (let k = 0; k < 16; k++) {
        if (k === 4 || k === 6 || k === 8 || k === 10) s[n++] = 0x2d;
        const v = r.buf[as + k]!;
        s[n++] = HEX[v >> 4]!;
        s[n++] = HEX[v & 15]!;
      }
      s[n++] = 0x22;
    }
    const micros = r.signedInt8(at);
    const seconds = Math.floor(micros / 1e6);
    let frac = micros - seconds * 1e6;
    if (seconds !== this.atSecond) {
      this.atSecond = seconds;
      this.atPart = Buffer.from(`, "${new Date(seconds * 1000 + PG_EPOCH_MS).toISOString().slice(0, 19)}.`, 'latin1');
    }
    n += this.atPart.copy(s, n);
    for (let k = 5; k >= 0; k--) {
      s[n + k] = 0x30 + (frac % 10);
      frac = Math.floor(frac / 10);
    }
    n += 6;
    s[n++] = 0x5a; // Z
    s[n++] = 0x22;
    s[n++] = 0x2c;
    s[n++] = 0x20;
    n += r.copyTo(data, s, n);
    s[n++] = 0x5d; // ]
    target.write(oneShotHash('sha256', s.subarray(0, n), 'binary'), offset, 'latin1');
  }
}
