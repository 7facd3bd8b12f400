import { writeSync } from 'node:fs';
import { cliMain } from '../src/main/cli-main.js';

/**
 * One `airlock audit …` command run the way the CLI runs it (cliMain, the
 * same code as `npm run airlock -- audit …`), timed from the call to its end,
 * without Node's and tsx's start-up, with the CPU time this process used
 * meanwhile (the database's is not included). stdout is the command's output (a real
 * sink: /dev/null, or a pipe into gzip); the figures go to fd 3 as one JSON line.
 */
const problems: string[] = [];
const start = performance.now();
const cpu = process.cpuUsage();
const code = await cliMain(['audit', ...process.argv.slice(2)], process.env, {
  stdout: process.stdout,
  out: (line) => new Promise<void>((resolve) => process.stdout.write(`${line}\n`, () => resolve())),
  err: (line) => problems.push(line),
});
const ms = performance.now() - start;
const used = process.cpuUsage(cpu);
writeSync(3, `${JSON.stringify({ code, ms, cpuMs: (used.user + used.system) / 1000, maxRssMb: process.resourceUsage().maxRSS / 1024, problems: problems.slice(0, 5) })}\n`);
process.exit(code);
