import type { Inline, Message } from '../../src/domain/message.js';
import { escapeMrkdwn, inlineCode, person, truncateMrkdwn } from './mrkdwn.js';

/** Slack's limit for a message's text is 40,000 characters; replies stay far below. */
const MAX = 3000;

/**
 * A structured message as Slack mrkdwn: every string is escaped (no
 * `<!channel>`, no links, no hidden characters); formatting comes only from
 * the structure. A Slack user renders as a mention, anyone else as text.
 */
export function renderMessage(m: Message, max = MAX): string {
  return truncateMrkdwn(m.lines.map((line) => line.map(inline).join('')).join('\n'), max);
}

function inline(part: Inline): string {
  if (typeof part === 'string') return escapeMrkdwn(part);
  if ('code' in part) return inlineCode(part.code, 300);
  if ('strong' in part) return `*${escapeMrkdwn(part.strong).replace(/\*/g, '∗')}*`;
  return person(part.person);
}
