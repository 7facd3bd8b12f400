import { describe, expect, it } from 'vitest';
import { humanDuration, percent } from '../../../../adapters/cli/format-report.js';

describe('report figures for people', () => {
  it.each([
    [0, '0s'],
    [44.6, '45s'],
    [250, '4m 10s'],
    [3599.6, '1h 0m'],
    [7_500, '2h 5m'],
    [273_600, '3d 4h'],
    [null, '-'],
  ])('shows %s seconds as %s', (seconds, text) => {
    expect(humanDuration(seconds)).toBe(text);
  });

  it('shows shares as percentages with one decimal', () => {
    expect(percent(0.8)).toBe('80.0%');
    expect(percent(1 / 3)).toBe('33.3%');
    expect(percent(null)).toBe('-');
  });
});
