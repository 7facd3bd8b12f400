import { writeSync } from 'node:fs';
import { runCli } from '../adapters/cli/index.js';
import { loadEnv } from '../src/config/env.js';
import { createCliServices } from '../src/main/cli-services.js';

/**
 * One `airlock report …` run the way the CLI runs it (runCli, the same code
 * as `npm run airlock -- report …`: pool, migrations check, policy, query,
 * formatting), timed from the call to its end without Node's and tsx's
 * start-up. The output goes to stdout; the figures to fd 3 as one JSON line.
 */
const problems: string[] = [];
const start = performance.now();
const code = await runCli(['report', ...process.argv.slice(2)], createCliServices(loadEnv()), 'bench', {
  stdout: process.stdout,
  out: (line) => new Promise<void>((resolve) => process.stdout.write(`${line}\n`, () => resolve())),
  err: (line) => problems.push(line),
});
writeSync(3, `${JSON.stringify({ code, ms: performance.now() - start, problems: problems.slice(0, 5) })}\n`);
process.exit(code);
