import { prettyFactory } from 'pino-pretty';

/**
 * LOG_FORMAT=pretty: each JSON log line as one line for a person (time,
 * level, message, then the fields as compact JSON), formatted in this thread.
 * A file of its own so that the CLI loads pino-pretty only when asked for it.
 */
export const prettyLogLine = (): ((line: string) => string) =>
  prettyFactory({ singleLine: true, translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l', ignore: 'hostname,service' });
