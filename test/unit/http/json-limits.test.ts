import { describe, expect, it } from 'vitest';
import { jsonLimitViolation, type JsonLimits } from '../../../src/http/json-limits.js';

const limits: JsonLimits = { depth: 4, entries: 10, arrayLength: 5, stringLength: 8, keyLength: 3 };

describe('jsonLimitViolation', () => {
  it.each<[string, unknown, string | undefined]>([
    ['an empty object', {}, undefined],
    ['a value at every limit', { a: [1, 2, 3, 4, 5], bbb: '12345678', c: { d: { e: 1 } } }, undefined],
    ['too many keys in all, across levels', { a: { b: 1, c: 2, d: 3, e: 4 }, f: { g: 5, h: 6, i: 7, j: 8, k: 9 } }, 'more than 10 keys'],
    ['array elements counted with keys', { a: [1, 2, 3, 4, 5], b: [1, 2, 3, 4, 5] }, 'more than 10 keys'],
    ['a long array', { a: [1, 2, 3, 4, 5, 6] }, 'array longer than 5'],
    ['a long string, nested in an array', { a: [['123456789']] }, 'string longer than 8'],
    ['a long key', { abcd: 1 }, 'key longer than 3'],
    ['deep nesting', { a: { b: { c: { d: { e: 1 } } } } }, 'nested deeper than 4'],
  ])('%s', (_name, value, message) => {
    const why = jsonLimitViolation(value, limits);
    if (message === undefined) expect(why).toBeUndefined();
    else expect(why).toContain(message);
  });

  it('walks a hostile nesting of 100,000 arrays without overflowing the stack', () => {
    const deep = JSON.parse('['.repeat(100_000) + ']'.repeat(100_000));
    expect(jsonLimitViolation(deep, { ...limits, depth: 32, entries: 1_000_000 })).toContain('nested deeper than 32');
    expect(jsonLimitViolation(deep, { ...limits, depth: 200_000, entries: 1_000_000 })).toBeUndefined();
  });

  it('stops at the first entry past the limit', () => {
    let read = 0;
    const big = new Proxy(Object.fromEntries(Array.from({ length: 1_000 }, (_, i) => [`k${i}`, i])), {
      get(target, key) {
        read++;
        return Reflect.get(target, key);
      },
    });
    expect(jsonLimitViolation(big, { ...limits, keyLength: 10 })).toContain('more than 10 keys');
    expect(read).toBeLessThanOrEqual(10);
  });
});
