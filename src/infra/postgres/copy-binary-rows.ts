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

/** Where the row starting at `off` ends, or -1 when `buf` does not hold all of it. */
function rowEnd(buf: Buffer, off: number): number {
  if (buf.length - off < 2) return -1;
  const fields = buf.readInt16BE(off);
  if (fields === -1) return off + 2;
  let p = off + 2;
  for (let i = 0; i < fields; i++) {
    if (buf.length - p < 4) return -1;
    const len = buf.readInt32BE(p);
    p += 4 + Math.max(len, 0);
    if (p > buf.length) return -1;
  }
  return p;
}

/**
 * Calls `onRow` for every row (the same CopyRow object each time, valid
 * during the call), and awaits `afterChunk` once the rows of a received chunk
 * are done: where a consumer waits for its own output, the COPY waits too.
 * Throws if the stream ends before the format's trailer.
 */
export async function forEachCopyRow(source: AsyncIterable<Buffer>, onRow: (row: CopyRow) => void, afterChunk?: () => Promise<void>): Promise<number> {
  const row = new CopyRow();
  let header: Buffer | null = Buffer.alloc(0);
  /** The start of a row cut by the end of the previous chunk. */
  let pending: Buffer | null = null;
  let ended = false;
  let count = 0;

  /** Parses up to `max` complete rows of `buf` from `off`; returns where the next one starts. */
  const parse = (buf: Buffer, off: number, max = Infinity): number => {
    row.buf = buf;
    for (let parsed = 0; !ended && parsed < max; parsed++) {
      const end = rowEnd(buf, off);
      if (end < 0) return off;
      const fields = buf.readInt16BE(off);
      if (fields === -1) {
        ended = true;
        return end;
      }
      if (fields > row.start.length) {
        row.start = new Int32Array(fields);
        row.len = new Int32Array(fields);
      }
      let p = off + 2;
      for (let i = 0; i < fields; i++) {
        const len = buf.readInt32BE(p);
        row.start[i] = p + 4;
        row.len[i] = len;
        p += 4 + Math.max(len, 0);
      }
      row.fields = fields;
      off = end;
      count += 1;
      onRow(row);
    }
    return off;
  };

  for await (const received of source) {
    let chunk: Buffer = received;
    if (header) {
      header = Buffer.concat([header, chunk]);
      if (header.length < HEADER) continue;
      if (!header.subarray(0, SIGNATURE.length).equals(SIGNATURE)) throw new Error('not a binary COPY stream');
      const extension = header.readUInt32BE(SIGNATURE.length + 4);
      if (header.length < HEADER + extension) continue;
      chunk = header.subarray(HEADER + extension);
      header = null;
    }
    let off = 0;
    if (pending) {
      // Complete the cut row with as little of this chunk as it needs (copying the whole chunk would copy every byte twice).
      let take = Math.min(chunk.length, 2048);
      for (;;) {
        const joined = Buffer.concat([pending, chunk.subarray(0, take)]);
        const end = rowEnd(joined, 0);
        if (end >= 0) {
          parse(joined, 0, 1);
          off = end - pending.length;
          pending = null;
          break;
        }
        if (take === chunk.length) {
          pending = joined;
          off = chunk.length;
          break;
        }
        take = Math.min(chunk.length, take * 4);
      }
    }
    if (!pending && !ended) {
      const stop = parse(chunk, off);
      if (stop < chunk.length && !ended) pending = Buffer.from(chunk.subarray(stop));
    }
    if (afterChunk) await afterChunk();
  }
  if (!ended) throw new Error('COPY stream ended before its trailer');
  return count;
}
