/**
 * Group commit: items submitted while earlier writes are in flight are
 * written together by the next call of `write`, so under load one round trip
 * (one statement, one commit) serves many callers, and at low load every
 * batch holds one item and nothing waits on a timer. Each caller is answered
 * with its own item's result, or the batch's error.
 */

/** A result that fails one item alone (the rest of its batch succeeded). */
export class ItemFailed {
  constructor(readonly error: unknown) {}
}

export class GroupCommit<T, R> {
  private readonly queue: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  private inFlight = 0;

  constructor(
    /** Writes a batch; resolves with one result per item, in order. */
    private readonly write: (batch: T[]) => Promise<(R | ItemFailed)[]>,
    private readonly opts: { maxInFlight: number; maxBatch: number },
  ) {}

  submit(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.drain();
    });
  }

  private drain(): void {
    while (this.inFlight < this.opts.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.opts.maxBatch);
      this.inFlight++;
      this.write(batch.map((p) => p.item))
        .then(
          (results) =>
            batch.forEach((p, i) => {
              const r = results[i]!;
              if (r instanceof ItemFailed) p.reject(r.error);
              else p.resolve(r);
            }),
          (err: unknown) => batch.forEach((p) => p.reject(err)),
        )
        .finally(() => {
          this.inFlight--;
          this.drain();
        });
    }
  }
}
