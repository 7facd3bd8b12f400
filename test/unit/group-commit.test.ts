import { describe, expect, it } from 'vitest';
import { GroupCommit, ItemFailed } from '../../src/infra/group-commit.js';

/** A write whose calls stay pending until released, recording each batch. */
function gatedWriter<T>() {
  const batches: T[][] = [];
  const gates: (() => void)[] = [];
  const write = (batch: T[]) => {
    batches.push(batch);
    return new Promise<T[]>((resolve) => gates.push(() => resolve(batch)));
  };
  return { batches, write, release: () => gates.shift()!() };
}

/** Lets every pending promise callback run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('group commit', () => {
  it('writes alone when idle and together what arrives while a write is in flight', async () => {
    const w = gatedWriter<number>();
    const gc = new GroupCommit(w.write, { maxInFlight: 1, maxBatch: 10 });
    const first = gc.submit(1);
    const rest = [2, 3, 4].map((n) => gc.submit(n));
    expect(w.batches).toEqual([[1]]);
    w.release();
    expect(await first).toBe(1);
    await settle();
    expect(w.batches).toEqual([[1], [2, 3, 4]]);
    w.release();
    expect(await Promise.all(rest)).toEqual([2, 3, 4]);
  });

  it('keeps batches within maxBatch and maxInFlight', async () => {
    const w = gatedWriter<number>();
    const gc = new GroupCommit(w.write, { maxInFlight: 2, maxBatch: 2 });
    const all = [1, 2, 3, 4, 5].map((n) => gc.submit(n));
    expect(w.batches).toEqual([[1], [2]]);
    w.release();
    await all[0];
    await settle();
    expect(w.batches).toEqual([[1], [2], [3, 4]]);
    w.release();
    await all[1];
    await settle();
    expect(w.batches).toEqual([[1], [2], [3, 4], [5]]);
    w.release();
    w.release();
    expect(await Promise.all(all)).toEqual([1, 2, 3, 4, 5]);
  });

  it('fails every item of a failed batch, and one item alone when the write says so', async () => {
    let call = 0;
    const gc = new GroupCommit<string, string>(
      async (batch) => {
        call++;
        if (call === 1) throw new Error('database down');
        return batch.map((s) => (s === 'bad' ? new ItemFailed(new Error('bad row')) : s.toUpperCase()));
      },
      { maxInFlight: 1, maxBatch: 10 },
    );
    await expect(gc.submit('a')).rejects.toThrow('database down');
    const [ok, bad] = await Promise.allSettled([gc.submit('b'), gc.submit('bad')]);
    expect(ok).toEqual({ status: 'fulfilled', value: 'B' });
    expect(bad.status === 'rejected' && (bad.reason as Error).message).toBe('bad row');
  });
});
