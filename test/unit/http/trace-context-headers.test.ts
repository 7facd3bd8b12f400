import { describe, expect, it } from 'vitest';
import { boundedTracestate, traceContextOf } from '../../../src/http/trace-context-headers.js';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const members = (n: number) => Array.from({ length: n }, (_, i) => `k${i}=v${i}`).join(',');

describe('an agent’s tracestate, as Airlock carries it on', () => {
  it.each([
    ['rojo=00f067aa0ba902b7', 'rojo=00f067aa0ba902b7'],
    ['rojo=00f067aa0ba902b7,congo=t61rcWkgMzE', 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE'],
    // Optional white space and empty members, as two headers joined may bring them.
    [' rojo=1 ,\t, congo=2\t', 'rojo=1,congo=2'],
    ['fw529a3039@dt=abc,a-b_c*d/e=x y', 'fw529a3039@dt=abc,a-b_c*d/e=x y'],
    [members(32), members(32)],
  ])('keeps %j as %j', (raw, kept) => {
    expect(boundedTracestate(raw)).toBe(kept);
  });

  it.each([
    ['longer than 512 characters', `a=${'x'.repeat(250)},b=${'y'.repeat(250)},c=${'z'.repeat(10)}`],
    ['33 members', members(33)],
    ['an upper-case key', 'Rojo=1'],
    ['a key starting with a digit and no tenant', '1abc=1'],
    ['a member without =', 'rojo'],
    ['an empty key', '=1'],
    ['an empty value', 'rojo='],
    ['a value with =', 'rojo=a=b'],
    ['a control character', 'rojo=a\nb'],
    ['a non-ASCII value', 'rojo=café'],
    ['a key given twice', 'rojo=1,congo=2,rojo=3'],
    ['one bad member among good ones', 'rojo=1,Bad=2,congo=3'],
    ['nothing but commas', ' , ,'],
  ])('drops one with %s whole', (_why, raw) => {
    expect(boundedTracestate(raw)).toBeUndefined();
  });

  it('keeps exactly 512 characters', () => {
    const raw = `a=${'x'.repeat(254)},b=${'y'.repeat(253)}`;
    expect(raw).toHaveLength(512);
    expect(boundedTracestate(raw)).toBe(raw);
  });

  it('takes a tracestate only with a traceparent, and the traceparent even when the tracestate is dropped', () => {
    expect(traceContextOf({ tracestate: 'rojo=1' })).toBeUndefined();
    expect(traceContextOf({ traceparent: TRACEPARENT, tracestate: 'rojo=1' })).toEqual({ traceparent: TRACEPARENT, tracestate: 'rojo=1' });
    expect(traceContextOf({ traceparent: TRACEPARENT, tracestate: 'Bad=1' })).toEqual({ traceparent: TRACEPARENT });
    expect(traceContextOf({ traceparent: [TRACEPARENT, TRACEPARENT] })).toBeUndefined();
  });
});
