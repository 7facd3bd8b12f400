import { ADMIN_COMMAND } from './admin-command.js';
import { AGENT_COMMANDS } from './agent-commands.js';
import { AUDIT_COMMANDS } from './audit-commands.js';
import type { CliCommand } from './cli-command.js';
import { MCP_GATEWAY_COMMAND } from './mcp-gateway-command.js';
import { POLICY_COMMANDS } from './policy-commands.js';
import { REPORT_COMMAND } from './report-command.js';
import { REVIEW_COMMANDS } from './review-commands.js';

const MIGRATE: CliCommand = {
  name: 'migrate',
  flags: {},
  about: ['apply database migrations'],
  async run({ services, io }) {
    const applied = await services.migrate();
    await io.out(applied.length ? `applied ${applied.join(', ')}` : 'database is up to date');
    return 0;
  },
};

/** Every command, in the order `help` lists them. */
export const COMMANDS: readonly CliCommand[] = [MIGRATE, ...POLICY_COMMANDS, ...AGENT_COMMANDS, ...AUDIT_COMMANDS, ADMIN_COMMAND, ...REVIEW_COMMANDS, REPORT_COMMAND, MCP_GATEWAY_COMMAND];

/** Groups: the first word of commands that have two (`agent list`). */
export const GROUPS: readonly string[] = [...new Set(COMMANDS.filter((c) => c.name.includes(' ')).map((c) => c.name.split(' ')[0]!))];

export const commandsOf = (group: string) => COMMANDS.filter((c) => c.name.startsWith(`${group} `));
