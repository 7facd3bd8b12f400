import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from 'pino';

const SEVERITY: Record<LogLevel, number> = { [LogLevel.DEBUG]: 0, [LogLevel.INFO]: 1, [LogLevel.WARN]: 2, [LogLevel.ERROR]: 3 };

/**
 * A logger for Bolt, its receivers and every WebClient: each message becomes
 * one record of Airlock's log (`source: slack`, `component` the library's
 * name for itself), instead of a raw `[WARN]  web-api:WebClient:0 …` line
 * in the middle of the JSON. `name` says which client it is until the
 * library names it.
 *
 * Debug messages are dropped whatever LOG_LEVEL says: there the libraries
 * print request and response bodies (cards, incoming payloads). Objects a
 * library passes along are dropped too, for the same reason; an Error gives
 * its message. One instance per library object: Bolt sets its own level on
 * the logger it is given, and a WebClient names its own.
 */
export function slackLogger(log: Logger, name = 'slack', initial = LogLevel.INFO): SlackLogger {
  let level = initial;
  let component = name;
  const at =
    (write: LogLevel.INFO | LogLevel.WARN | LogLevel.ERROR) =>
    (...parts: unknown[]) => {
      if (SEVERITY[write] >= SEVERITY[level]) log[write]({ source: 'slack', component }, text(parts));
    };
  return {
    debug: () => undefined,
    info: at(LogLevel.INFO),
    warn: at(LogLevel.WARN),
    error: at(LogLevel.ERROR),
    setLevel: (l) => (level = l),
    getLevel: () => level,
    setName: (name) => (component = name),
  };
}

/** Strings and errors' messages; anything else is dropped (WebClient logs its warnings with `forEach(logger.warn)`, index and array included). */
function text(parts: unknown[]): string {
  return parts.flatMap((p) => (p instanceof Error ? [p.message] : typeof p === 'string' ? [p] : [])).join(' ');
}
