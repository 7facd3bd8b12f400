import { describe, expect, it } from 'vitest';
import { makeCallbackLanes, type LaneEntry } from '../../../src/usecases/callback-lanes.js';

const released = (e: LaneEntry) => {
  if (!('release' in e)) throw new Error(`expected a slot, got a wait of ${e.retryAfterMs} ms`);
  return e.release;
};

describe('callback lanes', () => {
  it("gives an agent its share of slots, and other agents and tenants theirs while it is full", () => {
    let now = 0;
    const lanes = makeCallbackLanes({ perAgent: 2, perTenant: 3 }, () => now);
    released(lanes.enter('acme', 'flood'));
    released(lanes.enter('acme', 'flood'));
    expect(lanes.enter('acme', 'flood')).toHaveProperty('retryAfterMs');
    released(lanes.enter('acme', 'other'));
    expect(lanes.enter('acme', 'third')).toHaveProperty('retryAfterMs');
    released(lanes.enter('globex', 'flood'));
  });

  it('asks a busy but fast lane to come back within tens of milliseconds, a stuck one within seconds', () => {
    let now = 0;
    const lanes = makeCallbackLanes({ perAgent: 1, perTenant: 10 }, () => now);
    const release = released(lanes.enter('acme', 'bot'));
    now = 5;
    const fast = lanes.enter('acme', 'bot');
    expect('retryAfterMs' in fast && fast.retryAfterMs).toBeLessThanOrEqual(75);
    now = 60_000;
    const stuck = lanes.enter('acme', 'bot');
    expect('retryAfterMs' in stuck && stuck.retryAfterMs).toBeGreaterThanOrEqual(2_000);
    expect('retryAfterMs' in stuck && stuck.retryAfterMs).toBeLessThanOrEqual(3_000);
    release();
    release();
    released(lanes.enter('acme', 'bot'));
  });
});
