import { describe, expect, it } from 'vitest';
import { approvalRate, windowStart } from '../../../src/domain/evidence.js';

const NOW = new Date('2026-03-31T12:00:00.000Z');

describe('report window', () => {
  it.each([
    ['7d', '2026-03-24T12:00:00.000Z'],
    ['24h', '2026-03-30T12:00:00.000Z'],
    ['90m', '2026-03-31T10:30:00.000Z'],
    ['2026-03-01', '2026-03-01T00:00:00.000Z'],
    ['2026-03-01T08:30:00Z', '2026-03-01T08:30:00.000Z'],
    ['2026-03-01T08:30:00+02:00', '2026-03-01T06:30:00.000Z'],
  ])('starts %s back from now or at that instant', (text, start) => {
    expect(windowStart(text, NOW).toISOString()).toBe(start);
  });

  it.each(['last week', '7', '2026', '2026-02-30', '2026-03-01T08:30', '-7d', ''])('refuses %j', (text) => {
    expect(() => windowStart(text, NOW)).toThrow(/neither a span back from now/);
  });

  it('refuses a start after now', () => {
    expect(() => windowStart('2026-04-01', NOW)).toThrow(/in the future/);
  });
});

describe('approval rate', () => {
  it('is approved of those reviewers decided, and absent when nobody decided', () => {
    expect(approvalRate({ approved: 4, denied: 1 })).toBe(0.8);
    expect(approvalRate({ approved: 0, denied: 0 })).toBeNull();
  });
});
