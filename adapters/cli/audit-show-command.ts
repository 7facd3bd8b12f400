import { toTerminalJson } from '../../src/domain/terminal-text.js';
import { actionStoryJson } from './action-story-json.js';
import { JSON_OUTPUT, stringFlag, TENANT, type CliCommand } from './cli-command.js';
import { formatActionStory } from './format-action-story.js';
import { reportUnresolved } from './unresolved-action.js';

/** `audit show`: one action's story from the audit trail, for the question an incident asks. Reads only. */
export const AUDIT_SHOW_COMMAND: CliCommand = {
  name: 'audit show',
  args: { text: '<id>', min: 1, max: 1 },
  flags: { tenant: TENANT, json: JSON_OUTPUT },
  about: [
    "one action's story from the audit trail, in time order: the request",
    '(redacted), the decision (policy version, rule, reasons), cards, reviews',
    'with who made them and the arguments they approved, reminders, timeout,',
    'escalation, overrides, callbacks, the reported result; <id> may be any',
    'start of the id that only one action of the tenant has',
  ],
  async run({ values, args, services, io }) {
    const tenant = stringFlag(values, 'tenant')!;
    const wanted = args[0]!;
    const found = await services.actionStory(tenant, wanted);
    if (found.kind !== 'one') {
      reportUnresolved(io, tenant, wanted, found);
      return 1;
    }
    await io.out(values.json ? toTerminalJson(actionStoryJson(found.story)) : formatActionStory(found.story));
    return 0;
  },
};
