import { pino, type Logger } from 'pino';

/**
 * The CLI's logger. A normal call prints its result and nothing else; warnings
 * and errors from the layers below appear as plain `airlock: warning: …`
 * lines on stderr. An operator who sets LOG_LEVEL gets the server's JSON log
 * lines at that level instead, for debugging.
 */
export function createCliLogger(source: NodeJS.ProcessEnv = process.env): Logger {
  const level = source.LOG_LEVEL;
  if (level) return pino({ level }, pino.destination(2));
  return pino(
    { level: 'warn', base: undefined, timestamp: false },
    {
      write(line: string) {
        const entry = JSON.parse(line) as { level: number; msg?: string; err?: unknown };
        const detail = typeof entry.err === 'string' ? `: ${entry.err}` : '';
        process.stderr.write(`airlock: ${entry.level >= 50 ? 'error' : 'warning'}: ${entry.msg ?? ''}${detail}\n`);
      },
    },
  );
}
