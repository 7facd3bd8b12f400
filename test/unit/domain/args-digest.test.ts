import { describe, expect, it } from 'vitest';
import { makeArgsDigests } from '../../../src/domain/args-digest.js';
import { canonicalJson } from '../../../src/domain/canonical-json.js';

const digests = makeArgsDigests('x'.repeat(32));

describe('argument digests', () => {
  it('give a submission the same two digests as computed one by one, whether or not the view is the arguments themselves', () => {
    const args = { pin: '4821', note: 'hi', n: [1, { b: 2, a: 1 }] };
    const view = { ...args, pin: '[redacted]' };
    for (const v of [args, view]) {
      const submitted = digests.submitted(args);
      expect(digests.submission(args, v)).toEqual({ submitted, binding: digests.binding(submitted, v), viewJson: canonicalJson(v) });
    }
    expect(digests.submission(args, args).binding).not.toBe(digests.submission(args, view).binding);
  });

  it('are keyed: another secret gives other digests', () => {
    expect(makeArgsDigests('y'.repeat(32)).submitted({ a: 1 })).not.toBe(digests.submitted({ a: 1 }));
  });
});
