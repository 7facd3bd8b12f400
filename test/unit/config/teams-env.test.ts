import { describe, expect, it } from 'vitest';
import { loadEnv } from '../../../src/config/env.js';

describe('Teams configuration', () => {
  it('defaults the Bot Framework endpoints to the public cloud', () => {
    const env = loadEnv({});
    expect(env.TEAMS_OPENID_METADATA_URL).toBe('https://login.botframework.com/v1/.well-known/openidconfiguration');
    expect(env.TEAMS_LOGIN_URL).toBe('https://login.microsoftonline.com/botframework.com');
  });

  it('logs a single-tenant bot in at its own tenant', () => {
    expect(loadEnv({ TEAMS_APP_TENANT_ID: '6f1c0000-aaaa-4bbb-8ccc-000000000001' }).TEAMS_LOGIN_URL).toBe('https://login.microsoftonline.com/6f1c0000-aaaa-4bbb-8ccc-000000000001');
    expect(loadEnv({ TEAMS_APP_TENANT_ID: 'x', TEAMS_LOGIN_URL: 'https://login.example.us/x' }).TEAMS_LOGIN_URL).toBe('https://login.example.us/x');
  });

  it('refuses a login or metadata URL that is not https', () => {
    expect(() => loadEnv({ TEAMS_LOGIN_URL: 'http://login.example/botframework.com' })).toThrow(/TEAMS_LOGIN_URL/);
    expect(() => loadEnv({ TEAMS_OPENID_METADATA_URL: 'http://keys.example/openid' })).toThrow(/TEAMS_OPENID_METADATA_URL/);
  });

  it('needs both the app id and the password, and never echoes the password', () => {
    expect(() => loadEnv({ TEAMS_APP_ID: 'app' })).toThrow(/TEAMS_APP_PASSWORD/);
    expect(() => loadEnv({ TEAMS_APP_PASSWORD: 'hunter2-password' })).toThrow(/TEAMS_APP_ID/);
    try {
      loadEnv({ TEAMS_APP_PASSWORD: 'hunter2-password' });
    } catch (err) {
      expect((err as Error).message).not.toContain('hunter2');
    }
  });
});
