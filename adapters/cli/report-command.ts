import { DEFAULT_REPORT_WINDOW } from '../../src/domain/evidence.js';
import { toTerminalJson } from '../../src/domain/terminal-text.js';
import { JSON_OUTPUT, stringFlag, TENANT, type CliCommand } from './cli-command.js';
import { formatReport, reportJson } from './format-report.js';

/** `airlock report`: the evidence a policy owner reads before changing a tool's mode or starting a rollout stage. */
export const REPORT_COMMAND: CliCommand = {
  name: 'report',
  flags: {
    tenant: TENANT,
    since: { type: 'string', value: 'D', about: `the window's start: a span back from now (7d, 24h) or an ISO date or time (default ${DEFAULT_REPORT_WINDOW})` },
    tool: { type: 'string', value: 'X', about: "only this tool's actions" },
    json: JSON_OUTPUT,
  },
  about: ['per tool and reviewer group: decisions, approvals and their approval rate,', 'time to decision (p50, p90), fallbacks and reported results, for a window'],
  async run({ values, services, io }) {
    const report = await services.report({ tenant: stringFlag(values, 'tenant')!, since: stringFlag(values, 'since'), tool: stringFlag(values, 'tool') });
    await io.out(values.json ? toTerminalJson(reportJson(report)) : formatReport(report));
    return 0;
  },
};
