import { ADMIN_USAGE } from '../../src/domain/admin-command.js';
import { toPlainText } from '../../src/domain/message.js';
import { toTerminalJson, toTerminalText } from '../../src/domain/terminal-text.js';
import { JSON_OUTPUT, stringFlag, TENANT, type CliCommand } from './cli-command.js';
import { osUser } from './operator.js';

/**
 * `airlock admin`: the same use case as `/airlock` in chat, for operators
 * when chat is down. Its commands are the chat command's, so their list comes
 * from the one the chat command answers with.
 */
export const ADMIN_COMMAND: CliCommand = {
  name: 'admin',
  args: { text: '<command>', min: 0, max: Infinity },
  flags: {
    tenant: TENANT,
    as: { type: 'string', value: 'NAME', about: 'who you are, recorded with the change (default: your OS user, which is recorded too)' },
    json: { ...JSON_OUTPUT, about: 'print one JSON document: what status and pending found, or {ok, message} for the others' },
  },
  about: ['run an admin command when chat is down:', ...ADMIN_USAGE.map((line) => `  ${toPlainText({ lines: [line] })}`)],
  async run({ values, args, services, io }) {
    const user = osUser();
    const actor = { kind: 'cli' as const, operator: stringFlag(values, 'as') ?? user, osUser: user, tenant: stringFlag(values, 'tenant')! };
    const reply = await services.withApprovals((approvals) => approvals.adminCommand(actor, args.join(' ')));
    if (values.json) {
      await io.out(toTerminalJson(reply.data ?? { ok: reply.ok, message: toPlainText(reply.message) }));
    } else if (reply.ok) await io.out(toTerminalText(reply.message));
    else io.err(toTerminalText(reply.message));
    return reply.ok ? 0 : 1;
  },
};
