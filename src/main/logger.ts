import { pino, type DestinationStream, type Logger } from 'pino';
import type { Env } from '../config/env.js';
import { prettyLogLine } from './pretty-log.js';

/**
 * Paths that may carry secrets are censored wherever they appear in a log
 * object. Request headers are never logged (Fastify's request logging is
 * off), but a header object that slips into a record loses its credentials.
 */
const REDACT = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'headers.cookie',
  '*.headers.cookie',
  'headers["set-cookie"]',
  '*.headers["set-cookie"]',
  'key',
  '*.key',
  'token',
  '*.token',
  'callback_secret',
  '*.callback_secret',
  'password',
  '*.password',
  'args',
  '*.args',
];

/** `destination`: stdout unless given (tests read the log to check what it never carries). */
export function createLogger(env: Pick<Env, 'LOG_LEVEL' | 'LOG_FORMAT'>, destination?: DestinationStream): Logger {
  const out = env.LOG_FORMAT === 'pretty' ? prettyLines(destination) : destination;
  return pino({ level: env.LOG_LEVEL, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'airlock' } }, out);
}

/**
 * Pretty lines written synchronously: pino-pretty's own stream and its
 * worker-thread transport both buffer, and the record logged just before the
 * process exits (shutdown's `stopped`) could be lost.
 */
function prettyLines(destination: DestinationStream = pino.destination({ dest: 1, sync: true })): DestinationStream {
  const format = prettyLogLine();
  return { write: (line: string) => destination.write(format(line)) };
}
