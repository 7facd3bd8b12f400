import { escapeTerminal, toTerminalJson, toTerminalText } from '../../src/domain/terminal-text.js';
import { JSON_OUTPUT, stringFlag, TENANT, UsageError, type CliCommand, type CommandInput, type Flag } from './cli-command.js';
import type { ApprovalUseCases } from './cli-services.js';
import { actionJson, formatAction, formatPendingList, pendingListJson } from './format-action.js';
import { osUser } from './operator.js';
import { reportUnresolved } from './unresolved-action.js';
import { commandUsage } from './usage-text.js';

/** `review list` shows the oldest open approvals, bounded however long the backlog. */
const LIST_LIMIT = 50;

const ID = { text: '<id>', min: 1, max: 1 };
const AS: Flag = { type: 'string', value: 'REVIEWER', required: true, about: 'the listed reviewer you decide for (their Slack or Teams id)' };

/**
 * Runs `work` for the tenant named and, for commands on one action, the
 * action named by its id or an unambiguous prefix of it (as `review list`
 * prints it), looked up in that tenant only.
 */
async function inTenant(input: CommandInput, work: (approvals: ApprovalUseCases, tenant: string, actionId: string) => Promise<number>): Promise<number> {
  const { values, args, services, io } = input;
  const named = stringFlag(values, 'tenant')!;
  return services.withApprovals(async (approvals) => {
    const tenant = approvals.tenant(named);
    if (!tenant) {
      io.err(escapeTerminal(`Unknown tenant ${named}.`));
      return 1;
    }
    const wanted = args[0] ?? '';
    const match = await approvals.resolveActionId(tenant.id, wanted);
    if (match.kind !== 'one') {
      reportUnresolved(io, tenant.id, wanted, match);
      return 1;
    }
    return work(approvals, tenant.id, match.id);
  });
}

const list: CliCommand = {
  name: 'review list',
  flags: { tenant: TENANT, json: JSON_OUTPUT },
  about: ['the open approvals, oldest first (ids shortened; every review command accepts them)'],
  async run({ values, services, io }) {
    const named = stringFlag(values, 'tenant')!;
    return services.withApprovals(async (approvals) => {
      const tenant = approvals.tenant(named);
      if (!tenant) {
        io.err(escapeTerminal(`Unknown tenant ${named}.`));
        return 1;
      }
      const pending = await approvals.pending(tenant.id, LIST_LIMIT);
      await io.out(values.json ? toTerminalJson(pendingListJson(tenant.id, pending)) : formatPendingList(pending, approvals.now()));
      return 0;
    });
  },
};

const show: CliCommand = {
  name: 'review show',
  args: ID,
  flags: { tenant: TENANT, json: JSON_OUTPUT },
  about: ['one action as a reviewer would read it'],
  run: (input) =>
    inTenant(input, async (approvals, tenant, id) => {
      const action = await approvals.get(tenant, id);
      if (!action) {
        input.io.err(escapeTerminal(`No action ${id} in tenant ${tenant}.`));
        return 1;
      }
      await input.io.out(input.values.json ? toTerminalJson(actionJson(action)) : formatAction(action));
      return 0;
    }),
};

function decide(decision: 'approve' | 'deny', flags: Record<string, Flag>, about: string[]): CliCommand {
  const cmd: CliCommand = {
    name: `review ${decision}`,
    args: ID,
    flags,
    about,
    async run(input) {
      const { values } = input;
      const as = stringFlag(values, 'as')!;
      const reason = stringFlag(values, 'reason') || undefined;
      if (decision === 'deny' && !reason) throw new UsageError('review deny needs --reason (the agent sees it)', commandUsage(cmd));
      const rawVersion = stringFlag(values, 'args-version');
      const argsVersion = rawVersion === undefined ? undefined : Number(rawVersion);
      if (argsVersion !== undefined && !(Number.isSafeInteger(argsVersion) && argsVersion >= 1)) {
        throw new UsageError('--args-version takes the version number `review show` prints (1, 2, ...)', commandUsage(cmd));
      }
      const operator = osUser();
      return inTenant(input, async (approvals, tenantId, id) => {
        const tenant = approvals.tenant(tenantId)!;
        const result = await approvals.operatorReview(tenant, id, { as, operator, decision, reason, argsVersion });
        if (result.kind !== 'accepted') {
          input.io.err(toTerminalText(result.message));
          return 1;
        }
        const a = result.action;
        const progress = a.status === 'pending' ? ` (${a.approvals.length} of ${a.requiredApprovals ?? 1} approvals)` : '';
        const bound = decision === 'approve' ? ` of arguments version ${argsVersion ?? a.argsVersion}` : '';
        await input.io.out(escapeTerminal(`Recorded: ${decision}${bound} by ${as} (operator ${operator}) on ${a.id}. The action is ${a.status}${progress}.`));
        return 0;
      });
    },
  };
  return cmd;
}

const approve = decide(
  'approve',
  {
    tenant: TENANT,
    as: AS,
    reason: { type: 'string', value: 'R', about: 'why, recorded with the review' },
    'args-version': { type: 'string', value: 'N', about: 'the version of the arguments you read (review show); needed once a reviewer changed them' },
  },
  [
    'approve on behalf of a listed reviewer (their Slack or Teams id); every',
    'rule of a click applies, and the review records your OS user. Once a',
    'reviewer changed the arguments, name the version you read (review show)',
  ],
);

const deny = decide(
  'deny',
  { tenant: TENANT, as: AS, reason: { type: 'string', value: 'R', required: true, about: 'why: the agent sees it' } },
  ['deny on behalf of a listed reviewer'],
);

export const REVIEW_COMMANDS: CliCommand[] = [list, show, approve, deny];
