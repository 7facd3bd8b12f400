import { MODES, type Mode } from './decision.js';

export type AdminCommand =
  | { kind: 'deny-tool'; tool: string; reason?: string }
  | { kind: 'allow-tool'; tool: string }
  | { kind: 'incident-on'; reason?: string }
  | { kind: 'incident-off' }
  | { kind: 'kill-agent'; agent: string; reason?: string }
  | { kind: 'revive-agent'; agent: string }
  | { kind: 'mode'; tool: string; mode: Mode }
  | { kind: 'status' }
  | { kind: 'pending' }
  | { kind: 'help' };

export const ADMIN_USAGE = [
  '`deny-tool <tool> [reason]` — deny a tool tenant-wide; its pending approvals are denied',
  '`allow-tool <tool>` — lift the denial',
  '`incident on [reason]` — incident mode: non-low-risk tools fall back to their safest mode',
  '`incident off` — end incident mode',
  '`kill-agent <agent> [reason]` — deny everything an agent asks; its pending approvals are denied',
  '`revive-agent <agent>` — let the agent act again',
  `\`mode <tool> <${MODES.join('|')}>\` — change a tool's runtime mode`,
  '`status` — incident state, denied tools, killed agents, pending approvals',
  '`pending` — the open approvals',
  '`help` — this list',
].join('\n');

const NAME = /^[A-Za-z0-9_.:-]{1,128}$/;
const MAX_REASON = 500;

/** Parses the text after `/airlock` (or `@Airlock`). Pure; bad input is a value with the usage. */
export function parseAdminCommand(text: string): AdminCommand | { error: string } {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const [verb, arg, ...rest] = words;
  const reason = rest.join(' ').slice(0, MAX_REASON) || undefined;
  const bad = (why: string) => ({ error: `${why}\n\nUsage: \`/airlock <command>\`\n${ADMIN_USAGE}` });
  const needName = (what: string) => (arg && NAME.test(arg) ? arg : undefined) ?? bad(`\`${verb}\` needs a ${what} name.`);
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
      return typeof tool === 'string' ? (rest.length ? bad('`allow-tool` takes only a tool name.') : { kind: 'allow-tool', tool }) : tool;
    }
    case 'kill-agent': {
      const agent = needName('agent');
      return typeof agent === 'string' ? { kind: 'kill-agent', agent, reason } : agent;
    }
    case 'revive-agent': {
      const agent = needName('agent');
      return typeof agent === 'string' ? (rest.length ? bad('`revive-agent` takes only an agent name.') : { kind: 'revive-agent', agent }) : agent;
    }
    case 'incident': {
      if (arg?.toLowerCase() === 'on') return { kind: 'incident-on', reason };
      if (arg?.toLowerCase() === 'off' && rest.length === 0) return { kind: 'incident-off' };
      return bad('`incident` takes `on [reason]` or `off`.');
    }
    case 'mode': {
      const mode = rest[0];
      if (!arg || !NAME.test(arg) || !mode || rest.length !== 1 || !(MODES as readonly string[]).includes(mode)) {
        return bad(`\`mode\` takes a tool and one of ${MODES.join(', ')}.`);
      }
      return { kind: 'mode', tool: arg, mode: mode as Mode };
    }
    case 'status':
    case 'pending':
      return arg ? bad(`\`${verb}\` takes no arguments.`) : { kind: verb!.toLowerCase() as 'status' | 'pending' };
    default:
      return bad(`Unknown command \`${(verb ?? "").slice(0, 40)}\`.`);
  }
}
