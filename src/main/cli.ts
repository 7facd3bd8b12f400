import { processIo } from '../../adapters/cli/index.js';
import { cliMain } from './cli-main.js';

/**
 * `npm run airlock -- <command>`: the CLI's composition root. The CLI itself
 * (argv, help, output) is the adapter in adapters/cli; ./cli-main.ts wires it
 * to the stores and the use cases the server runs. Only this file touches the
 * process: its arguments, environment, streams and exit.
 */
cliMain(process.argv.slice(2), process.env, processIo()).then((code) => process.exit(code));
