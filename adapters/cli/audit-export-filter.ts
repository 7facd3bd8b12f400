import { ACTION_STATUSES, type ActionStatus } from '../../src/domain/action-status.js';
import { DECISIONS, type Decision } from '../../src/domain/decision.js';
import type { AuditExportFilter } from '../../src/ports/audit-log.js';
import { stringFlag, type CliCommand, type FlagValues } from './cli-command.js';
import { windowBounds } from './plan-command.js';

/** The filters `audit export` takes: each narrows the output only, never what is sealed first. */
export const EXPORT_FILTER_FLAGS: CliCommand['flags'] = {
  since: { type: 'string', value: 'D|ISO', about: 'only events from then on: a duration back from now (7d, 24h) or an ISO date or time' },
  until: { type: 'string', value: 'ISO', about: 'only events before this ISO date or time' },
  tool: { type: 'string', value: 'X', about: "only events of this tool's actions" },
  agent: { type: 'string', value: 'A', about: "only events of this agent's actions (and of its keys)" },
  decision: { type: 'string', value: 'D', about: `only events recording this decision: ${DECISIONS.join(', ')}` },
  status: { type: 'string', value: 'S', about: `only events recording this status: ${ACTION_STATUSES.join(', ')}` },
};

const oneOf = <T extends string>(list: readonly T[], v: string | undefined): v is T | undefined => v === undefined || (list as readonly string[]).includes(v);

/** The filter the flags name, or the usage mistake to report (naming what a flag takes). */
export function exportFilterOf(values: FlagValues): AuditExportFilter | { mistake: string } {
  const window = windowBounds(values);
  if ('mistake' in window) return window;
  const decision = stringFlag(values, 'decision');
  const status = stringFlag(values, 'status');
  if (!oneOf<Decision>(DECISIONS, decision)) return { mistake: `--decision takes one of ${DECISIONS.join(', ')}` };
  if (!oneOf<ActionStatus>(ACTION_STATUSES, status)) return { mistake: `--status takes one of ${ACTION_STATUSES.join(', ')}` };
  const tool = stringFlag(values, 'tool');
  const agent = stringFlag(values, 'agent');
  return { ...window, ...(tool !== undefined ? { tool } : {}), ...(agent !== undefined ? { agent } : {}), ...(decision !== undefined ? { decision } : {}), ...(status !== undefined ? { status } : {}) };
}
