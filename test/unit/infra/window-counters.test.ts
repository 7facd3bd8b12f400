import { describe, expect, it } from 'vitest';
import { WindowCounters } from '../../../src/infra/window-counters.js';

describe('WindowCounters', () => {
  it('admits `limit` requests per key and window, then answers when the window ends', () => {
    let now = 10_250;
    const c = new WindowCounters(3, 1_000, () => now);
    expect([c.hit('a'), c.hit('a'), c.hit('a')].every((v) => !v.limited)).toBe(true);
    expect(c.hit('a')).toEqual({ limited: true, retryAfterSeconds: 0.75 });
    expect(c.hit('b').limited).toBe(false);
    now = 11_000;
    expect(c.hit('a').limited).toBe(false);
  });

  it('counts what other processes admitted, as of the last merge', () => {
    const now = 5_000;
    const c = new WindowCounters(10, 1_000, () => now);
    c.hit('a');
    c.hit('a');
    const drained = c.drain();
    expect(drained).toEqual([{ key: 'a', window: 5, count: 2 }]);
    c.hit('a'); // admitted during the merge: not in its total
    // The shared row now holds this process's 2 and another's 6.
    c.merged('a', 5, 8);
    // 3 admitted here + 6 elsewhere = 9: one more fits.
    expect(c.hit('a').limited).toBe(false);
    expect(c.hit('a').limited).toBe(true);
    expect(c.drain()).toEqual([{ key: 'a', window: 5, count: 2 }]);
  });

  it('gives the counts of a failed merge back, for the next one', () => {
    const c = new WindowCounters(10, 1_000, () => 1_000);
    c.hit('a');
    const drained = c.drain();
    c.hit('a');
    c.restore(drained);
    expect(c.drain()).toEqual([{ key: 'a', window: 1, count: 2 }]);
  });

  it('ignores a merge of an older window and forgets idle keys', () => {
    let now = 1_000;
    const c = new WindowCounters(2, 1_000, () => now);
    c.hit('a');
    c.drain();
    now = 2_000;
    c.hit('a');
    c.merged('a', 1, 100);
    expect(c.hit('a').limited).toBe(false);
    now = 3_500;
    c.drain();
    expect(c.drain()).toEqual([]);
  });
});
