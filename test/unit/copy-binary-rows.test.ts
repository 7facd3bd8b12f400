import { describe, expect, it } from 'vitest';
import { forEachCopyRow } from '../../src/infra/postgres/copy-binary-rows.js';

/** A binary COPY stream (header, rows, trailer) as Postgres sends it. */
function copyStream(rows: (Buffer | null)[][], trailer = true): Buffer {
  const parts: Buffer[] = [Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)];
  for (const r of rows) {
    const n = Buffer.alloc(2);
    n.writeInt16BE(r.length);
    parts.push(n);
    for (const f of r) {
      const len = Buffer.alloc(4);
      len.writeInt32BE(f === null ? -1 : f.length);
      parts.push(len);
      if (f) parts.push(f);
    }
  }
  if (trailer) parts.push(Buffer.from([0xff, 0xff]));
  return Buffer.concat(parts);
}

async function* chunked(buf: Buffer, sizes: () => number) {
  for (let off = 0; off < buf.length; ) {
    const n = Math.max(1, sizes());
    yield buf.subarray(off, off + n);
    off += n;
  }
}

const read = async (stream: AsyncIterable<Buffer>) => {
  const rows: (string | null)[][] = [];
  await forEachCopyRow(stream, (r) => rows.push(Array.from({ length: r.fields }, (_, i) => (r.isNull(i) ? null : r.text(i)))));
  return rows;
};

describe('binary COPY rows', () => {
  const rows = Array.from({ length: 24 }, (_, i) => [
    Buffer.from(String(i)),
    i % 3 ? null : Buffer.from(''),
    Buffer.from('é✓😀'.repeat(i * 13)),
    i % 5 ? Buffer.from('x') : null,
  ]);
  const expected = rows.map((r) => r.map((f) => (f === null ? null : f.toString('utf8'))));
  const stream = copyStream(rows);

  it('reads every row whatever the chunk boundaries', async () => {
    for (const size of [1, 2, 3, 7, 19, 64, 1000, 4096, stream.length]) {
      expect(await read(chunked(stream, () => size)), `chunks of ${size}`).toEqual(expected);
    }
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % 3000) + 1;
    for (let i = 0; i < 20; i++) expect(await read(chunked(stream, random))).toEqual(expected);
  });

  it('refuses a stream cut before its trailer', async () => {
    await expect(read(chunked(copyStream(rows, false), () => 100))).rejects.toThrow(/ended before its trailer/);
  });
});
