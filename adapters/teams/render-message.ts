import type { Inline, Message, Person } from '../../src/domain/message.js';
import { mdLine, neutralize } from './adaptive-text.js';

/** Replies and notices stay far below Teams' message limit. */
const MAX = 4000;

/**
 * A structured message as Teams markdown: every string is escaped (no
 * formatting, no `<at>` mentions, no links, hidden characters made visible);
 * formatting comes only from the structure. Lines become paragraphs.
 */
export function renderMessage(m: Message, max = MAX): string {
  const text = m.lines.map((line) => line.map(inline).join('')).join('\n\n');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function inline(part: Inline): string {
  if (typeof part === 'string') return mdLine(part, 2000);
  if ('code' in part) return `\`${neutralize(part.code.slice(0, 300)).replace(/[`\r\n]/g, ' ')}\``;
  if ('strong' in part) return `**${mdLine(part.strong, 300)}**`;
  return personName(part.person);
}

/** A person on a Teams surface: their name when known; a reviewer of another platform says which. */
export const personName = (p: Person): string =>
  p.name ? mdLine(p.name, 150) : p.platform === 'teams' ? mdLine(p.id, 150) : `${mdLine(capitalised(p.platform), 20)} user ${mdLine(p.id, 100)}`;

const capitalised = (s: string) => `${s.slice(0, 1).toUpperCase()}${s.slice(1)}`;
