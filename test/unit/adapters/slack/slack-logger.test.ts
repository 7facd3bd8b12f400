import { Writable } from 'node:stream';
import { LogLevel } from '@slack/bolt';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { slackLogger } from '../../../../adapters/slack/slack-logger.js';

/** A pino logger writing into an array, as the server's does into stdout. */
function capture(level = 'debug') {
  const records: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) records.push(JSON.parse(line));
      done();
    },
  });
  return { log: pino({ level }, sink), records };
}

describe('the Slack libraries’ logger', () => {
  it('writes each message as one record of our log, at its level, naming the library component', () => {
    const { log, records } = capture();
    const logger = slackLogger(log);
    logger.setName('web-api:WebClient:3');
    ['missing_charset'].forEach(logger.warn.bind(logger));
    logger.error('http request failed', 'socket hang up');
    logger.info('API Call failed due to rate limiting. Will retry in 2 seconds.');
    expect(records).toEqual([
      expect.objectContaining({ level: 40, source: 'slack', component: 'web-api:WebClient:3', msg: 'missing_charset' }),
      expect.objectContaining({ level: 50, msg: 'http request failed socket hang up' }),
      expect.objectContaining({ level: 30, msg: 'API Call failed due to rate limiting. Will retry in 2 seconds.' }),
    ]);
  });

  it('never writes debug messages (the libraries put request and response bodies there), even at LOG_LEVEL=debug', () => {
    const { log, records } = capture('debug');
    const logger = slackLogger(log);
    logger.setLevel(LogLevel.DEBUG);
    logger.debug('http request result: {"blocks":[{"text":"secret argument"}]}');
    expect(records).toEqual([]);
  });

  it('keeps the level a library sets for itself, per instance', () => {
    const { log, records } = capture();
    const bolt = slackLogger(log);
    const client = slackLogger(log);
    bolt.setLevel(LogLevel.ERROR);
    expect(bolt.getLevel()).toBe(LogLevel.ERROR);
    bolt.warn('Could not determine the type of an incoming event.');
    client.warn('missing_charset');
    expect(records.map((r) => r.msg)).toEqual(['missing_charset']);
  });

  it('writes an error’s message, and no object a library passes along (it may hold a payload)', () => {
    const { log, records } = capture();
    slackLogger(log).error('listener failed', new Error('boom'), { body: { args: 'secret argument' } }, 42);
    expect(records[0]!.msg).toBe('listener failed boom');
    expect(JSON.stringify(records)).not.toContain('secret argument');
  });
});
