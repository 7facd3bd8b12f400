/**
 * Rows of a `COPY … TO STDOUT (FORMAT binary)` stream, read in place: the
 * audit chain reads millions of rows this way, so a row is a reusable view of
 * field offsets into the received bytes rather than an array of new buffers
 * (the garbage of which cost more than the parsing). The binary format carries
 * json text as is, without COPY's text-format escaping, so event contents
 * reach the hash and the export line as the bytes Postgres sent.
 */
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const HEADER = SIGNATURE.length + 8;
const TWO_32 = 4_294_967_296;

export class CopyRow {
  buf: Buffer = Buffer.alloc(0);
  fields = 0;
  start = new Int32Array(16);
  len = new Int32Array(16);

  isNull(i: number): boolean {
    return this.len[i] === -1;
  }

  /** int8 / xid8, non-negative and below 2^53 here. */
  int8(i: number): number {
    const p = this.start[i]!;
    return this.buf.readUInt32BE(p) * TWO_32 + this.buf.readUInt32BE(p + 4);
  }

  /** Signed int8 (a timestamp's microseconds since 2000). */
  signedInt8(i: number): number {
    const p = this.start[i]!;
    return this.buf.readInt32BE(p) * TWO_32 + this.buf.readUInt32BE(p + 4);
  }

  text(i: number, encoding: BufferEncoding = 'utf8'): string {
    return this.buf.toString(encoding, this.start[i]!, this.start[i]! + this.len[i]!);
  }

  uuid(i: number): string {
    const h = this.buf.toString('hex', this.start[i]!, this.start[i]! + 16);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  /** The field's bytes; a view valid only until the next chunk is parsed (copy to keep). */
  bytes(i: number): Buffer {
    return this.buf.subarray(this.start[i]!, this.start[i]! + this.len[i]!);
  }

  /** Copies the field into `target` at `offset`; returns the bytes copied. */
  copyTo(i: number, target: Buffer, offset: number): number {
    return this.buf.copy(target, offset, this.start[i]!, this.start[i]! + this.len[i]!);
  }

  equals(i: number, other: Buffer): boolean {
    return this.len[i] === other.length && this.buf.compare(other, 0, other.length, this.start[i]!, this.start[i]! + this.len[i]!) === 0;
  }
}

/**
 * Calls `onRow` for every row (the same CopyRow object each time, valid
 * during the call), and awaits `afterChunk` once the rows of a received chunk
 * are done: where a consumer waits for its own output, the COPY waits too.
 * Throws if the stream ends before the format's trailer.
 */
export async function forEachCopyRow(source: AsyncIterable<Buffer>, onRow: (row: CopyRow) => void, afterChunk?: () => Promise<void>): Promise<number> {
  const row = new CopyRow();
  let buf: Buffer = Buffer.alloc(0);
  let off = 0;
  let header = false;
  let ended = false;
  let count = 0;
  for await (const chunk of source) {
    buf = off < buf.length ? Buffer.concat([buf.subarray(off), chunk]) : chunk;
    off = 0;
    if (!header) {
      if (buf.length < HEADER) continue;
      if (!buf.subarray(0, SIGNATURE.length).equals(SIGNATURE)) throw new Error('not a binary COPY stream');
      const extension = buf.readUInt32BE(SIGNATURE.length + 4);
      if (buf.length < HEADER + extension) continue;
      off = HEADER + extension;
      header = true;
    }
    row.buf = buf;
    while (!ended && buf.length - off >= 2) {
      const fields = buf.readInt16BE(off);
      if (fields === -1) {
        ended = true;
        off += 2;
        break;
      }
      if (fields > row.start.length) {
        row.start = new Int32Array(fields);
        row.len = new Int32Array(fields);
      }
      let p = off + 2;
      let complete = true;
      for (let i = 0; i < fields; i++) {
        if (buf.length - p < 4) {
          complete = false;
          break;
        }
        const len = buf.readInt32BE(p);
        p += 4;
        row.start[i] = p;
        row.len[i] = len;
        if (len === -1) continue;
        if (buf.length - p < len) {
          complete = false;
          break;
        }
        p += len;
      }
      if (!complete) break;
      row.fields = fields;
      off = p;
      count += 1;
      onRow(row);
    }
    if (afterChunk) await afterChunk();
  }
  if (!ended) throw new Error('COPY stream ended before its trailer');
  return count;
}
