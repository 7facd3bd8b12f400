import { parseDuration } from '../../src/domain/duration.js';
import { escapeTerminal, toTerminalJson } from '../../src/domain/terminal-text.js';
import { JSON_OUTPUT, TENANT, stringFlag, UsageError, type CliCommand, type Flag } from './cli-command.js';
import { formatAgentTable } from './format-agent-table.js';
import { keyOperator } from './operator.js';
import { commandUsage } from './usage-text.js';

const NAME: Flag = { type: 'string', value: 'N', required: true, about: 'the agent, as the policy names it' };
const AS: Flag = { type: 'string', value: 'NAME', about: 'who you are, recorded with the change (default: your OS user, which is recorded too)' };

const create: CliCommand = {
  name: 'agent create',
  flags: { tenant: TENANT, name: NAME, as: AS },
  about: ["issue an agent's first key (printed once, as one JSON line)"],
  async run({ values, services, io }) {
    const created = await services.withAgents((a) => a.create(stringFlag(values, 'tenant')!, stringFlag(values, 'name')!, keyOperator(stringFlag(values, 'as'))));
    await io.out(JSON.stringify(created));
    return 0;
  },
};

const list: CliCommand = {
  name: 'agent list',
  flags: { tenant: { ...TENANT, required: false, about: 'only this tenant (default: every tenant)' }, json: JSON_OUTPUT },
  about: ['list agents and the state of their keys (never a key)'],
  async run({ values, services, io }) {
    const agents = await services.withAgents((a) => a.list(stringFlag(values, 'tenant')));
    await io.out(values.json ? toTerminalJson(agents) : formatAgentTable(agents));
    return 0;
  },
};

const rotate: CliCommand = {
  name: 'agent rotate',
  flags: { tenant: TENANT, name: NAME, grace: { type: 'string', value: 'D', about: 'keep the previous keys valid for D (e.g. 1h; default: they stop at once)' }, as: AS },
  about: ['issue a new key (one JSON line); the previous ones stop at once, or after D (e.g. 1h)'],
  async run({ values, services, io }) {
    const raw = stringFlag(values, 'grace');
    const grace = raw === undefined ? 0 : parseDuration(raw);
    if (grace === undefined) throw new UsageError('--grace must be a duration such as 30m, 1h or 2d', commandUsage(rotate));
    const rotated = await services.withAgents((a) => a.rotate(stringFlag(values, 'tenant')!, stringFlag(values, 'name')!, grace, keyOperator(stringFlag(values, 'as'))));
    await io.out(JSON.stringify(rotated));
    return 0;
  },
};

const revoke: CliCommand = {
  name: 'agent revoke',
  flags: { tenant: TENANT, name: NAME, key: { type: 'string', value: 'ID', about: 'revoke only this key (its id, as agent list shows it)' }, as: AS },
  about: ["revoke the agent's keys (or the one named), at once on every process"],
  async run({ values, services, io }) {
    const tenant = stringFlag(values, 'tenant')!;
    const name = stringFlag(values, 'name')!;
    const { revoked_keys } = await services.withAgents((a) => a.revoke(tenant, name, keyOperator(stringFlag(values, 'as')), stringFlag(values, 'key')));
    await io.out(
      escapeTerminal(revoked_keys.length
        ? `revoked ${revoked_keys.length} key${revoked_keys.length > 1 ? 's' : ''} of ${tenant}/${name}: ${revoked_keys.join(', ')}`
        : `${tenant}/${name} had no usable key: nothing revoked`),
    );
    return 0;
  },
};

export const AGENT_COMMANDS: CliCommand[] = [create, list, rotate, revoke];
