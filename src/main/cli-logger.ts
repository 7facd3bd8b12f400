import { pino, type Logger } from 'pino';

/**
 * The CLI's logger, writing to `err` (the command's stderr). A normal call
 * prints its result and nothing else; warnings and errors from the layers
 * below appear as plain `airlock: warning: …` lines. An operator who sets
 * LOG_LEVEL (`level`) gets the server's JSON log lines at that level instead,
 * for debugging, each passed through `format` (LOG_FORMAT=pretty) if given.
 */
export function createCliLogger(level: string | undefined, err: (line: string) => void, format: (line: string) => string = (line) => line): Logger {
  if (level) return pino({ level }, { write: (line: string) => err(format(line).trimEnd()) });
  return pino(
    { level: 'warn', base: undefined, timestamp: false },
    {
      write(line: string) {
        const entry = JSON.parse(line) as { level: number; msg?: string; err?: unknown };
        const detail = typeof entry.err === 'string' ? `: ${entry.err}` : '';
        err(`airlock: ${entry.level >= 50 ? 'error' : 'warning'}: ${entry.msg ?? ''}${detail}`);
      },
    },
  );
}
