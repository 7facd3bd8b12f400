import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyCallback } from '../src/index.js';

const secret = 'cb-secret';
const body = JSON.stringify({
  id: 'act_1', status: 'approved', decision: 'queue_for_approval', mode: 'approval_required', reasons: ['r'], rule: 'tools.x.mode',
  policy_version: 'v.1', expires_at: null, tool: 'x', agent: 'bot', created_at: '2025-01-01T00:00:00Z', decided_at: null, args_version: 1, args_sha256: 'a'.repeat(64),
});
const now = 1_750_000_000_000;
const sign = (t: number, b = body, s = secret) => `t=${t},v1=${createHmac('sha256', s).update(`${t}.${b}`).digest('hex')}`;
const t = now / 1000;

describe('verifyCallback', () => {
  it('accepts a body signed with the secret, as text or bytes, and returns the action', async () => {
    expect(await verifyCallback(body, sign(t), secret, { now })).toMatchObject({ id: 'act_1', status: 'approved' });
    expect(await verifyCallback(new TextEncoder().encode(body), sign(t), secret, { now })).toMatchObject({ id: 'act_1' });
  });

  it('accepts any one matching v1 among several (secret rotation)', async () => {
    const other = sign(t, body, 'old-secret').split(',')[1];
    expect(await verifyCallback(body, `${sign(t)},${other}`, secret, { now })).toMatchObject({ id: 'act_1' });
  });

  it.each([
    ['no header', undefined],
    ['a header without v1', `t=${t}`],
    ['a header without t', sign(t).split(',')[1]],
    ['a signature made with another secret', sign(t, body, 'nope')],
    ['a signature of another body', sign(t, body.replace('approved', 'denied'))],
    ['a timestamp changed after signing', sign(t).replace(`t=${t}`, `t=${t + 1}`)],
    ['a signature older than five minutes', sign(t - 301)],
    ['a signature from the future', sign(t + 301)],
  ])('refuses %s', async (_what, header) => {
    await expect(verifyCallback(body, header, secret, { now })).rejects.toMatchObject({ kind: 'signature' });
  });

  it('refuses to verify without a secret', async () => {
    await expect(verifyCallback(body, sign(t, body, ''), '', { now })).rejects.toMatchObject({ kind: 'signature' });
  });
});
