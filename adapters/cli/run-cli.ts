import { AirlockError } from '../../src/domain/errors.js';
import { UsageError, type CliIo } from './cli-command.js';
import type { CliServices } from './cli-services.js';
import { parseCommandLine } from './parse-command-line.js';

/** The process's own streams: what a shell sees. */
export const processIo = (): CliIo => ({
  stdout: process.stdout,
  out: (line) => new Promise<void>((resolve) => process.stdout.write(`${line}\n`, () => resolve())),
  err: (line) => process.stderr.write(`${line}\n`),
});

/**
 * `airlock <command>`: argv → a use case → text or JSON, and an exit code:
 * 0 done, 1 refused or failed (saying why), 2 called wrong (with the usage
 * that applies). Errors it cannot explain are the caller's to report.
 */
export async function runCli(argv: string[], services: CliServices, version: string, io: CliIo = processIo()): Promise<number> {
  try {
    const line = parseCommandLine(argv);
    if (line.kind === 'version') {
      await io.out(`airlock ${version}`);
      return 0;
    }
    if (line.kind === 'help') {
      await io.out(line.text);
      return 0;
    }
    return await line.command.run({ values: line.values, args: line.args, services, io });
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`airlock: ${e.message}\n${e.usage}`);
      return 2;
    }
    if (e instanceof AirlockError) {
      io.err(`airlock: ${e.message}`);
      for (const d of e.details) io.err(`  ${d.path}: ${d.message}`);
      return 1;
    }
    throw e;
  }
}
