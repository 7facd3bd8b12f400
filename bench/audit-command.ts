import { writeSync } from 'node:fs';
import { loadEnv } from '../src/config/env.js';
import { runCli } from '../adapters/cli/index.js';
import { createCliServices } from '../src/main/cli-services.js';

/**
 * One `airlock audit …` command run the way the CLI runs it (runCli, the
 * same code as `npm run airlock -- audit …`), timed from the call to its end,
 * without Node's and tsx's start-up, with the CPU time this process used
 * meanwhile (the database's is not included). stdout is the command's output (a real
 * sink: /dev/null, or a pipe into gzip); the figures go to fd 3 as one JSON line.
 */
const env = loadEnv();
const problems: string[] = [];
const start = performance.now();
const cpu = process.cpuUsage();
const code = await runCli(['audit', ...process.argv.slice(2)], createCliServices(env), 'bench', {
  stdout: process.stdout,
  out: (line) => new Promise<void>((resolve) => process.stdout.write(`${line}\n`, () => resolve())),
  err: (line) => problems.push(line),
});
const ms = performance.now() - start;
const used = process.cpuUsage(cpu);
writeSync(3, `${JSON.stringify({ code, ms, cpuMs: (used.user + used.system) / 1000, maxRssMb: process.resourceUsage().maxRSS / 1024, problems: problems.slice(0, 5) })}\n`);
process.exit(code);
