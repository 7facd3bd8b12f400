import type { Icon, Inline, Line, Message } from '../../src/domain/message.js';
import { escapeMrkdwn, inlineCode, person, slackDate, truncateMrkdwn } from './mrkdwn.js';

/** Slack's limit for a message's text is 40,000 characters; replies stay far below. */
const MAX = 3000;

/**
 * A structured message as Slack mrkdwn: every string is escaped (no
 * `<!channel>`, no links, no hidden characters); formatting comes only from
 * the structure. A Slack user renders as a mention, anyone else as text.
 */
export function renderMessage(m: Message, max = MAX): string {
  // A lambda, not map(renderLine): map's index would arrive as partMax and cut every string of the first line to nothing.
  return truncateMrkdwn(m.lines.map((line) => renderLine(line)).join('\n'), max);
}

/** One line as mrkdwn; a string part longer than `partMax` is cut. */
export const renderLine = (line: Line, partMax = 2000): string => line.map((part) => inline(part, partMax)).join('');

export const ICONS: Record<Icon, string> = {
  irreversible: ':rotating_light:',
  risk_low: ':large_green_circle:',
  risk_medium: ':large_orange_circle:',
  risk_high: ':red_circle:',
  quorum: ':ballot_box_with_check:',
  reminder: ':alarm_clock:',
};

function inline(part: Inline, partMax: number): string {
  if (typeof part === 'string') return escapeMrkdwn(part.slice(0, partMax));
  if ('code' in part) return inlineCode(part.code, 300);
  if ('strong' in part) return `*${escapeMrkdwn(part.strong).replace(/\*/g, '∗')}*`;
  if ('date' in part) return slackDate(part.date);
  if ('icon' in part) return ICONS[part.icon];
  return person(part.person);
}
