import { AirlockError } from '../../src/domain/errors.js';
import type { Policy } from '../../src/domain/policy-model.js';
import { listReviewDates, overdueWarnings, reviewDatesJson, reviewDatesText } from '../../src/usecases/list-review-dates.js';
import { JSON_OUTPUT, stringFlag, UsageError, type CliCommand, type CliIo, type CommandInput } from './cli-command.js';
import type { CliServices } from './cli-services.js';
import { upstreamTarget } from './upstream-target.js';
import { planCommand } from './plan-command.js';
import { shadowReportCommand } from './shadow-report-command.js';
import { commandUsage } from './usage-text.js';

const FILE = { text: '[file]', min: 0, max: 1 };

/** The policy in `file`, or undefined after printing every error in it. */
async function checked(services: CliServices, io: CliIo, file: string): Promise<Policy | undefined> {
  try {
    return await services.policy.check(file);
  } catch (e) {
    if (!(e instanceof AirlockError)) throw e;
    io.err(`${file}: ${e.message}`);
    for (const d of e.details) io.err(`  ${d.path}: ${d.message}`);
    return undefined;
  }
}

const fileOf = ({ args, services }: CommandInput) => args[0] ?? services.policy.serverFile();

const check: CliCommand = {
  name: 'policy check',
  args: FILE,
  flags: {},
  about: ['validate a policy file (default: the one the server loads); exits 1 listing every error'],
  async run(input) {
    const file = fileOf(input);
    const p = await checked(input.services, input.io, file);
    if (!p) return 1;
    await input.io.out(`${file}: ok (version ${p.fileVersion}, ${p.tenants.size} tenants, ${p.tools.size} tools)`);
    // A control past its review date still works: warn, do not fail the check (a CI gate would block unrelated edits).
    for (const line of overdueWarnings(p, new Date())) input.io.err(line);
    return 0;
  },
};

const review: CliCommand = {
  name: 'policy review',
  args: FILE,
  flags: { json: JSON_OUTPUT },
  about: ['list the tools, when rules and rollout stages past or within 14 days of their review_by date, with their owners'],
  async run(input) {
    const p = await checked(input.services, input.io, fileOf(input));
    if (!p) return 1;
    const report = listReviewDates(p, new Date());
    await input.io.out(input.values.json ? reviewDatesJson(report) : reviewDatesText(report));
    return 0;
  },
};

const reload: CliCommand = {
  name: 'policy reload',
  args: FILE,
  flags: {},
  about: ['check the file, then have every running server reload it (SIGHUP without a pid)'],
  async run(input) {
    const { services, io } = input;
    const p = await checked(services, io, fileOf(input));
    if (!p) {
      io.err('nothing was reloaded: the servers keep the policy they run');
      return 1;
    }
    const result = await services.policy.reload(p);
    if (result.ok) await io.out(result.text);
    else io.err(result.text);
    return result.ok ? 0 : 1;
  },
};

const schema: CliCommand = {
  name: 'policy schema',
  flags: {},
  about: ["print the policy file's JSON Schema"],
  async run({ services, io }) {
    await io.out(JSON.stringify(services.policy.schema(), null, 2));
    return 0;
  },
};

const importMcp: CliCommand = {
  name: 'policy import-mcp',
  args: { text: '-- <upstream command...>', min: 0, max: Infinity },
  flags: {
    'server-name': { type: 'string', value: 'S', about: 'name the tools S.<tool> in the policy (default: the tool names as they are)' },
    'upstream-url': { type: 'string', value: 'URL', about: 'an MCP server over streamable HTTP (http://host/mcp) instead of a command' },
  },
  about: ["print policy entries (YAML) for an MCP server's tools (mode off, risk high, args_schema from their input schemas)"],
  async run({ values, args, services, io }) {
    const target = upstreamTarget(args, stringFlag(values, 'upstream-url'));
    if (!target) throw new UsageError('name the MCP server: -- <command...> or --upstream-url <url> (one of them)', commandUsage(importMcp));
    const snippet = await services.policy.importMcp(target, stringFlag(values, 'server-name'));
    await io.out(snippet.replace(/\n$/, ''));
    return 0;
  },
};

export const POLICY_COMMANDS: CliCommand[] = [check, review, reload, schema, planCommand, shadowReportCommand, importMcp];
