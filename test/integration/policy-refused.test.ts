import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAirlock, type TestAirlock } from '../support/airlock.js';
import { sampleValue } from '../support/prometheus-text.js';

/**
 * A policy file that fails validation is refused and the server keeps its
 * last good policy. That must not go unnoticed: /readyz names the live
 * version and why the file on disk was refused, in one line, and /metrics
 * says so too, until a good file is loaded.
 */
const ORIGINAL = readFileSync('test/fixtures/approval-policy.yml', 'utf8');
let dir: string;
let policyFile: string;
let t: TestAirlock;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'airlock-policy-refused-'));
  policyFile = join(dir, 'policy.yml');
  writeFileSync(policyFile, ORIGINAL);
  t = await startAirlock({ policyFile });
});
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

const readyz = async () => {
  const res = await t.app.inject('/readyz');
  return { status: res.statusCode, body: res.json() as { policy?: { version: string; file: string } } };
};
const metrics = async () => (await t.app.inject('/metrics')).body;

describe('a refused policy file', () => {
  it('is named by /readyz and /metrics while the last good policy stays live, until a good file loads', async () => {
    const live = t.core.policy.current().fileVersion;
    expect((await readyz()).body.policy).toEqual({ version: live, file: 'ok' });
    expect(sampleValue(await metrics(), 'airlock_policy_info', { version: live })).toBe(1);
    expect(sampleValue(await metrics(), 'airlock_policy_file_refused')).toBe(0);

    writeFileSync(policyFile, readFileSync('test/fixtures/invalid-policy.yml', 'utf8'));
    await t.core.reloadPolicy();

    const refused = await readyz();
    // Still ready: the gate keeps deciding with the last good policy.
    expect(refused.status).toBe(200);
    expect(refused.body.policy?.version).toBe(live);
    expect(refused.body.policy?.file).toMatch(/^refused: policy is invalid \(\d+ errors\): tools\.broken\.risk: .+/);
    expect(refused.body.policy?.file).not.toContain('\n');
    let text = await metrics();
    expect(sampleValue(text, 'airlock_policy_file_refused')).toBe(1);
    expect(sampleValue(text, 'airlock_policy_info', { version: live })).toBe(1);

    writeFileSync(policyFile, ORIGINAL.replace('timeout: 25s', 'timeout: 26s'));
    await t.core.reloadPolicy();
    const next = t.core.policy.current().fileVersion;
    expect(next).not.toBe(live);
    expect((await readyz()).body.policy).toEqual({ version: next, file: 'ok' });
    text = await metrics();
    expect(sampleValue(text, 'airlock_policy_file_refused')).toBe(0);
    expect(sampleValue(text, 'airlock_policy_info', { version: next })).toBe(1);
    expect(sampleValue(text, 'airlock_policy_info', { version: live })).toBeUndefined();
  });
});
