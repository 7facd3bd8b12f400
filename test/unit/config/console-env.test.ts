import { describe, expect, it } from 'vitest';
import { loadEnv } from '../../../src/config/env.js';

const oidc = { OIDC_ISSUER: 'https://idp.acme.example', OIDC_CLIENT_ID: 'airlock', OIDC_CLIENT_SECRET: 's3cret-client-secret', PUBLIC_URL: 'https://airlock.acme.example' };

describe('web console configuration', () => {
  it('takes an issuer with its client and the public URL', () => {
    expect(loadEnv(oidc)).toMatchObject(oidc);
    expect(loadEnv({}).OIDC_ISSUER).toBeUndefined();
  });

  it('stops the start when the issuer comes without its client id, secret or public URL, naming each', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadEnv(env);
      } catch (err) {
        return (err as Error).message;
      }
      throw new Error('accepted');
    };
    const all = problems({ OIDC_ISSUER: oidc.OIDC_ISSUER });
    expect(all).toContain('OIDC_CLIENT_ID: required when OIDC_ISSUER is set');
    expect(all).toContain('OIDC_CLIENT_SECRET: required when OIDC_ISSUER is set');
    expect(all).toContain('PUBLIC_URL: required when OIDC_ISSUER is set');
    expect(problems({ OIDC_CLIENT_ID: 'airlock', OIDC_CLIENT_SECRET: 'x' })).toContain('OIDC_ISSUER: required when OIDC_CLIENT_ID or OIDC_CLIENT_SECRET is set');
    expect(problems({ ...oidc, OIDC_CLIENT_SECRET: '' })).not.toContain('s3cret');
  });

  it('allows plain http for the issuer and the public URL only on a loopback host', () => {
    expect(() => loadEnv({ ...oidc, OIDC_ISSUER: 'http://idp.acme.example' })).toThrow(/OIDC_ISSUER: must be https/);
    expect(() => loadEnv({ ...oidc, PUBLIC_URL: 'http://airlock.acme.example' })).toThrow(/PUBLIC_URL: must be https for the console/);
    expect(loadEnv({ ...oidc, OIDC_ISSUER: 'http://localhost:4000', PUBLIC_URL: 'http://127.0.0.1:3000' }).OIDC_ISSUER).toBe('http://localhost:4000');
  });
});
