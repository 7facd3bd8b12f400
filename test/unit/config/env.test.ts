import { describe, expect, it } from 'vitest';
import { ConfigError, loadEnv } from '../../../src/config/env.js';

describe('configuration', () => {
  it('applies the documented defaults', () => {
    const env = loadEnv({});
    expect(env).toMatchObject({ PORT: 3000, AIRLOCK_ROLE: 'all', SLACK_API_URL: 'https://slack.com/api/', LOG_LEVEL: 'info' });
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it('names the variable of a bad value and never echoes it', () => {
    const attempt = () => loadEnv({ PORT: 'eighty', DATABASE_URL: 'mysql://user:hunter2@x/db' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (err) {
      expect((err as Error).message).toContain('PORT');
      expect((err as Error).message).toContain('DATABASE_URL');
      expect((err as Error).message).not.toContain('hunter2');
    }
  });

  it('requires AIRLOCK_SECRET with DATABASE_URL and never echoes it', () => {
    expect(() => loadEnv({ DATABASE_URL: 'postgres://x@127.0.0.1/db' })).toThrow(/AIRLOCK_SECRET: required when DATABASE_URL is set/);
    expect(() => loadEnv({ DATABASE_URL: 'postgres://x@127.0.0.1/db', AIRLOCK_SECRET: 'short-secret-value' })).toThrow(/AIRLOCK_SECRET/);
    try {
      loadEnv({ AIRLOCK_SECRET: 'short-secret-value' });
    } catch (err) {
      expect((err as Error).message).not.toContain('short-secret-value');
    }
    expect(loadEnv({ DATABASE_URL: 'postgres://x@127.0.0.1/db', AIRLOCK_SECRET: 'x'.repeat(32) }).AIRLOCK_SECRET).toHaveLength(32);
  });

  it('writes JSON log lines unless LOG_FORMAT=pretty, and refuses any other format', () => {
    expect(loadEnv({}).LOG_FORMAT).toBe('json');
    expect(loadEnv({ LOG_FORMAT: 'pretty' }).LOG_FORMAT).toBe('pretty');
    expect(() => loadEnv({ LOG_FORMAT: 'text' })).toThrow(/LOG_FORMAT: .*"json"\|"pretty"/);
  });

  it('requires a signing secret for HTTP-mode Slack', () => {
    expect(() => loadEnv({ SLACK_BOT_TOKEN: 'xoxb-1' })).toThrow(/SLACK_SIGNING_SECRET/);
    expect(loadEnv({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }).SLACK_APP_TOKEN).toBe('xapp-1');
  });

  it('parses the abuse limits, with defaults generous enough for the benchmarks', () => {
    expect(loadEnv({})).toMatchObject({
      AIRLOCK_RATE_LIMIT_PER_AGENT: 10_000,
      AIRLOCK_RATE_LIMIT_WINDOW: 1_000,
      AIRLOCK_MAX_WAITS_PER_AGENT: 200,
      AIRLOCK_HEADERS_TIMEOUT: 10_000,
      AIRLOCK_REQUEST_TIMEOUT: 30_000,
      AIRLOCK_IDLE_TIMEOUT: 90_000,
    });
    expect(loadEnv({ AIRLOCK_RATE_LIMIT_PER_AGENT: '0', AIRLOCK_RATE_LIMIT_WINDOW: '1m', AIRLOCK_REQUEST_TIMEOUT: '2m' })).toMatchObject({
      AIRLOCK_RATE_LIMIT_PER_AGENT: 0,
      AIRLOCK_RATE_LIMIT_WINDOW: 60_000,
      AIRLOCK_REQUEST_TIMEOUT: 120_000,
    });
    expect(() => loadEnv({ AIRLOCK_RATE_LIMIT_WINDOW: 'soon' })).toThrow(/AIRLOCK_RATE_LIMIT_WINDOW: must be a duration/);
    expect(() => loadEnv({ AIRLOCK_IDLE_TIMEOUT: '30s' })).toThrow(/AIRLOCK_IDLE_TIMEOUT: .*longer than the longest \?wait/);
    expect(() => loadEnv({ AIRLOCK_HEADERS_TIMEOUT: '20s', AIRLOCK_REQUEST_TIMEOUT: '10s' })).toThrow(/AIRLOCK_HEADERS_TIMEOUT/);
    expect(() => loadEnv({ AIRLOCK_MAX_WAITS_PER_AGENT: '0' })).toThrow(/AIRLOCK_MAX_WAITS_PER_AGENT/);
  });
});
