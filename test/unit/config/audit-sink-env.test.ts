import { describe, expect, it } from 'vitest';
import { loadEnv } from '../../../src/config/env.js';

const SECRET = 'sink-secret-0123456789abcdef0123456789';

/** The message loadEnv throws for `vars`, or '' when it accepts them. */
function refusal(vars: Record<string, string>): string {
  try {
    loadEnv(vars);
    return '';
  } catch (err) {
    return (err as Error).message;
  }
}

describe('audit sink configuration', () => {
  it('is off unless both variables are set', () => {
    expect(loadEnv({}).AUDIT_SINK_URL).toBeUndefined();
    expect(refusal({ AUDIT_SINK_URL: 'https://siem.example/airlock' })).toMatch(/AUDIT_SINK_SECRET: required when AUDIT_SINK_URL is set/);
    expect(refusal({ AUDIT_SINK_SECRET: SECRET })).toMatch(/AUDIT_SINK_URL: required when AUDIT_SINK_SECRET is set/);
    expect(loadEnv({ AUDIT_SINK_URL: 'https://siem.example/airlock', AUDIT_SINK_SECRET: SECRET })).toMatchObject({ AUDIT_SINK_URL: 'https://siem.example/airlock', AUDIT_SINK_SECRET: SECRET });
  });

  it('takes http only on a loopback host', () => {
    for (const url of ['http://127.0.0.1:4000/audit', 'http://[::1]:4000/audit', 'http://localhost/audit']) {
      expect(refusal({ AUDIT_SINK_URL: url, AUDIT_SINK_SECRET: SECRET }), url).toBe('');
    }
    for (const url of ['http://siem.example/audit', 'http://10.0.0.5/audit', 'http://127.0.0.1.nip.io/audit', 'ftp://siem.example/audit', 'not a url']) {
      expect(refusal({ AUDIT_SINK_URL: url, AUDIT_SINK_SECRET: SECRET }), url).toMatch(/AUDIT_SINK_URL: must be https/);
    }
  });

  it('refuses credentials in the URL: the signature is the authentication', () => {
    expect(refusal({ AUDIT_SINK_URL: 'https://user:pass@siem.example/airlock', AUDIT_SINK_SECRET: SECRET })).toMatch(/AUDIT_SINK_URL: must not carry credentials/);
  });

  it('wants a secret of at least 32 characters and never echoes it', () => {
    const message = refusal({ AUDIT_SINK_URL: 'https://siem.example/airlock', AUDIT_SINK_SECRET: 'short-sink-secret' });
    expect(message).toMatch(/AUDIT_SINK_SECRET: must be at least 32 characters/);
    expect(message).not.toContain('short-sink-secret');
  });

  it('caps the retry backoff at AIRLOCK_AUDIT_SINK_MAX_BACKOFF', () => {
    expect(loadEnv({}).AIRLOCK_AUDIT_SINK_MAX_BACKOFF).toBe(60_000);
    expect(loadEnv({ AIRLOCK_AUDIT_SINK_MAX_BACKOFF: '5s' }).AIRLOCK_AUDIT_SINK_MAX_BACKOFF).toBe(5_000);
    expect(refusal({ AIRLOCK_AUDIT_SINK_MAX_BACKOFF: '10ms' })).toMatch(/AIRLOCK_AUDIT_SINK_MAX_BACKOFF/);
  });
});
