import { MODES, type Mode } from './decision.js';
import type { Line, Message } from './message.js';

export type AdminCommand =
  | { kind: 'deny-tool'; tool: string; reason?: string }
  | { kind: 'allow-tool'; tool: string }
  | { kind: 'incident-on'; reason?: string }
  | { kind: 'incident-off' }
  | { kind: 'kill-agent'; agent: string; reason?: string }
  | { kind: 'revive-agent'; agent: string }
  /** `policy` clears the runtime mode: the policy file's mode and `when` rules apply again. */
  | { kind: 'mode'; tool: string; mode: Mode | 'policy' }
  | { kind: 'status' }
  | { kind: 'pending' }
  | { kind: 'ids' }
  | { kind: 'help' };

const USAGE: [string, string][] = [
  ['deny-tool <tool> [reason]', "deny a tool tenant-wide; its pending approvals are denied"],
  ['allow-tool <tool>', 'lift the denial'],
  ['incident on [reason]', 'incident mode: non-low-risk tools fall back to their safest mode'],
  ['incident off', 'end incident mode'],
  ['kill-agent <agent> [reason]', 'deny everything an agent asks; its pending approvals are denied'],
  ['revive-agent <agent>', 'let the agent act again'],
  [`mode <tool> <${MODES.join('|')}>`, "set a tool's runtime mode (it wins over the policy's when rules)"],
  ['mode <tool> policy', "clear the runtime mode: the policy file's mode and rules apply again"],
  ['status', 'incident state, active overrides, pending approvals'],
  ['pending', 'the open approvals'],
  ['ids', 'the ids of this workspace, conversation and you, for the policy file'],
  ['help', 'this list'],
];

export const ADMIN_USAGE: Line[] = USAGE.map(([cmd, what]) => [{ code: cmd }, ` — ${what}`]);

const NAME = /^[A-Za-z0-9_.:-]{1,128}$/;
const MAX_REASON = 500;

/** Parses the text after `/airlock` (or `@Airlock`). Pure; bad input is a value with the usage. */
export function parseAdminCommand(text: string): AdminCommand | { error: Message } {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const [verb, arg, ...rest] = words;
  const reason = rest.join(' ').slice(0, MAX_REASON) || undefined;
  const bad = (...why: Line): { error: Message } => ({ error: { lines: [why, [], ['Usage: ', { code: '<command>' }], ...ADMIN_USAGE] } });
  const needName = (what: string) => (arg && NAME.test(arg) ? arg : undefined) ?? bad({ code: verb ?? '' }, ` needs a ${what} name.`);
  switch (verb?.toLowerCase()) {
    case undefined:
    case 'help':
      return { kind: 'help' };
    case 'deny-tool': {
      const tool = needName('tool');
      return typeof tool === 'string' ? { kind: 'deny-tool', tool, reason } : tool;
    }
    case 'allow-tool': {
      const tool = needName('tool');
      return typeof tool === 'string' ? (rest.length ? bad({ code: 'allow-tool' }, ' takes only a tool name.') : { kind: 'allow-tool', tool }) : tool;
    }
    case 'kill-agent': {
      const agent = needName('agent');
      return typeof agent === 'string' ? { kind: 'kill-agent', agent, reason } : agent;
    }
    case 'revive-agent': {
      const agent = needName('agent');
      return typeof agent === 'string' ? (rest.length ? bad({ code: 'revive-agent' }, ' takes only an agent name.') : { kind: 'revive-agent', agent }) : agent;
    }
    case 'incident': {
      if (arg?.toLowerCase() === 'on') return { kind: 'incident-on', reason };
      if (arg?.toLowerCase() === 'off' && rest.length === 0) return { kind: 'incident-off' };
      return bad({ code: 'incident' }, ' takes ', { code: 'on [reason]' }, ' or ', { code: 'off' }, '.');
    }
    case 'mode': {
      const mode = rest[0];
      const modes: readonly string[] = [...MODES, 'policy'];
      if (!arg || !NAME.test(arg) || !mode || rest.length !== 1 || !modes.includes(mode)) {
        return bad({ code: 'mode' }, ` takes a tool and one of ${modes.join(', ')}.`);
      }
      return { kind: 'mode', tool: arg, mode: mode as Mode | 'policy' };
    }
    case 'status':
    case 'pending':
    case 'ids':
      return arg ? bad({ code: verb! }, ' takes no arguments.') : { kind: verb!.toLowerCase() as 'status' | 'pending' | 'ids' };
    default:
      return bad('Unknown command ', { code: (verb ?? '').slice(0, 40) }, '.');
  }
}
