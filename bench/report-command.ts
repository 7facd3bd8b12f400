import { writeSync } from 'node:fs';
import { cliMain } from '../src/main/cli-main.js';

/**
 * One `airlock report …` run the way the CLI runs it (cliMain, the same code
 * as `npm run airlock -- report …`: pool, migrations check, policy, query,
 * formatting), timed from the call to its end without Node's and tsx's
 * start-up. The output goes to stdout; the figures to fd 3 as one JSON line.
 */
const problems: string[] = [];
const start = performance.now();
const code = await cliMain(['report', ...process.argv.slice(2)], process.env, {
  stdout: process.stdout,
  out: (line) => new Promise<void>((resolve) => process.stdout.write(`${line}\n`, () => resolve())),
  err: (line) => problems.push(line),
});
writeSync(3, `${JSON.stringify({ code, ms: performance.now() - start, problems: problems.slice(0, 5) })}\n`);
process.exit(code);
