import { pino, type DestinationStream, type Logger } from 'pino';

/** Paths that may carry secrets are censored wherever they appear in a log object. */
const REDACT = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
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
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'airlock' } }, destination);
}
