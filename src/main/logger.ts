import { pino, type Logger } from 'pino';

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

export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'airlock' } });
}
