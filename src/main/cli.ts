import pkg from '../../package.json' with { type: 'json' };
import { runCli } from '../../adapters/cli/index.js';
import { ConfigError, loadEnv } from '../config/env.js';
import { createCliServices } from './cli-services.js';
import { describeError } from './describe-error.js';

/**
 * `npm run airlock -- <command>`: the CLI's composition root. The CLI itself
 * (argv, help, output) is the adapter in adapters/cli; this wires it to the
 * stores and the use cases the server runs.
 */
async function main(): Promise<number> {
  let env;
  try {
    env = loadEnv();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`airlock: ${e.message}\n`);
    return 1;
  }
  try {
    return await runCli(process.argv.slice(2), createCliServices(env), pkg.version);
  } catch (e) {
    process.stderr.write(`airlock: ${describeError(e)}\n`);
    return 1;
  }
}

main().then((code) => process.exit(code));
