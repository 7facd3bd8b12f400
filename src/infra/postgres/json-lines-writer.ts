import type { Writable } from 'node:stream';
import type { CopyRow } from './copy-binary-rows.js';

/** The output could not take the lines (EPIPE: the reader went away; ENOSPC; closed): what was written is incomplete. */
export class OutputError extends Error {
  readonly code: string;
  constructor(cause: Error) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'ERR_OUTPUT';
    super(`could not write the output (${code}${cause.message && !cause.message.includes(code) ? `: ${cause.message}` : ''})`, { cause });
    this.name = 'OutputError';
    this.code = code;
  }
}

const LINE_BREAKS = [0x0a, 0x0d];

/** Bytes gathered before one write to the output: few syscalls, bounded memory. */
const CHUNK = 256 * 1024;

/**
 * Writes lines assembled from strings and raw byte slices into one output,
 * honouring its backpressure: when `out` is full, `flushIfFull` waits for
 * 'drain' before taking more, so a slow reader slows the producer instead of
 * filling memory. An error or close of `out` (EPIPE: the reader went away)
 * rejects the next wait; `end` resolves only once every byte was handed to
 * the OS, so the caller may exit the process after it.
 */
export class JsonLinesWriter {
  private buf = Buffer.allocUnsafe(CHUNK);
  private len = 0;
  private failure: Error | undefined;
  private readonly onError = (err: Error) => {
    this.failure ??= new OutputError(err);
  };
  private readonly onClose = () => {
    this.failure ??= new OutputError(Object.assign(new Error('the output was closed'), { code: 'ERR_STREAM_DESTROYED' }));
  };

  constructor(private readonly out: Writable) {
    out.on('error', this.onError);
    out.on('close', this.onClose);
  }

  text(s: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    this.reserve(s.length * 3);
    this.len += this.buf.write(s, this.len, 'utf8');
  }

  /**
   * A field of a COPY row (JSON text), copied straight from the received
   * bytes. A line break, which JSON allows between tokens (never inside a
   * string) and Airlock never writes, would split the line: it becomes a space.
   */
  rowField(row: CopyRow, field: number): void {
    if (row.isNull(field)) return this.text('null');
    this.reserve(row.len[field]!);
    const start = this.len;
    this.len += row.copyTo(field, this.buf, this.len);
    const copied = this.buf.subarray(start, this.len);
    for (const eol of LINE_BREAKS) {
      for (let i = copied.indexOf(eol); i !== -1; i = copied.indexOf(eol, i + 1)) copied[i] = 0x20;
    }
  }

  /** Where the next byte goes; with `cut`, takes back what was written since (to hold a line aside). */
  mark(): number {
    return this.len;
  }

  cut(mark: number): Buffer {
    const held = Buffer.from(this.buf.subarray(mark, this.len));
    this.len = mark;
    return held;
  }

  bytes(b: Buffer): void {
    this.reserve(b.length);
    this.len += b.copy(this.buf, this.len);
  }

  /** Hands the gathered bytes to `out` once a chunk is full; waits while `out` is full. */
  async flushIfFull(): Promise<void> {
    if (this.len >= CHUNK / 2) await this.flush();
  }

  async flush(): Promise<void> {
    this.check();
    if (this.len === 0) return;
    const chunk = this.take();
    if (!this.out.write(chunk)) await this.waitForDrain();
  }

  /** Writes the rest and waits until the output has taken all of it. */
  async end(): Promise<void> {
    this.check();
    const chunk = this.take();
    await new Promise<void>((resolve, reject) => {
      this.out.write(chunk, (err) => (err ? reject(this.failure ?? new OutputError(err)) : resolve()));
    });
    this.check();
    this.detach();
  }

  detach(): void {
    this.out.off('close', this.onClose);
    // Keep swallowing late errors (a reader closing after the last line): the outcome was already decided.
    this.out.off('error', this.onError);
    this.out.on('error', () => undefined);
  }

  private take(): Buffer {
    // The output may hold on to the chunk until it is written: start a new buffer rather than reuse this one.
    const chunk = this.buf.subarray(0, this.len);
    this.buf = Buffer.allocUnsafe(CHUNK);
    this.len = 0;
    return chunk;
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const size = Math.max(this.buf.length * 2, this.len + n);
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  private check(): void {
    if (this.failure) throw this.failure;
  }

  private waitForDrain(): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (err?: Error) => {
        this.out.off('drain', onDrain);
        this.out.off('error', onFail);
        this.out.off('close', onClose);
        if (err) reject(err);
        else resolve();
      };
      const onDrain = () => done();
      const onFail = (err: Error) => done(this.failure ?? new OutputError(err));
      const onClose = () => done(this.failure ?? new OutputError(Object.assign(new Error('the output was closed'), { code: 'ERR_STREAM_DESTROYED' })));
      if (this.failure) return reject(this.failure);
      this.out.on('drain', onDrain);
      this.out.on('error', onFail);
      this.out.on('close', onClose);
    });
  }
}
