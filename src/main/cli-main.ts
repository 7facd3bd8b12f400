import pkg from '../../package.json' with { type: 'json' };
import { runCli, type CliIo } from '../../adapters/cli/index.js';
import { ConfigError, loadEnv } from '../config/env.js';
import { createCliLogger } from './cli-logger.js';
import { createCliServices } from './cli-services.js';
import { describeError } from './describe-error.js';

/**
 * One `airlock <command>` call, given everything a process gets from outside
 * (its arguments, its environment, its streams) and answering with the exit
 * code instead of exiting: the binary (./cli.ts) passes its own, tests pass
 * theirs and run the same code path without starting a process.
 */
export async function cliMain(argv: string[], source: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  let env;
  try {
    env = loadEnv(source);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    io.err(`airlock: ${e.message}`);
    return 1;
  }
  // LOG_LEVEL only when the operator set it: its default is the servers', and the CLI's is quieter.
  const level = source.LOG_LEVEL ? env.LOG_LEVEL : undefined;
  const format = level && env.LOG_FORMAT === 'pretty' ? (await import('./pretty-log.js')).prettyLogLine() : undefined;
  const log = createCliLogger(level, (line) => io.err(line), format);
  try {
    return await runCli(argv, createCliServices(env, log, source), pkg.version, io);
  } catch (e) {
    io.err(`airlock: ${describeError(e)}`);
    return 1;
  }
}
