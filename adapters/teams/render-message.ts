import type { Icon, Inline, Line, Message, Person } from '../../src/domain/message.js';
import { mdLine, neutralize } from './adaptive-text.js';

/** Replies and notices stay far below Teams' message limit. */
const MAX = 4000;

/**
 * A structured message as Teams markdown: every string is escaped (no
 * formatting, no `<at>` mentions, no links, hidden characters made visible);
 * formatting comes only from the structure. Lines become paragraphs.
 */
export function renderMessage(m: Message, max = MAX): string {
  const text = m.lines.map((line) => renderLine(line)).join('\n\n');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * One line as Teams markdown; a string part longer than `partMax` is cut.
 * Dates show in the reader's time zone on a card (`inCard`); a message
 * cannot, so it shows them in UTC.
 */
export const renderLine = (line: Line, opts: { partMax?: number; inCard?: boolean } = {}): string =>
  line.map((part) => inline(part, opts.partMax ?? 2000, opts.inCard ?? false)).join('');

export const ICONS: Record<Icon, string> = {
  irreversible: '🚨',
  risk_low: '🟢',
  risk_medium: '🟠',
  risk_high: '🔴',
  quorum: '☑️',
  reminder: '⏰',
};

/** Rendered by Teams in each reader's own time zone and locale. */
export const teamsDate = (at: Date): string => {
  const iso = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `{{DATE(${iso}, SHORT)}} {{TIME(${iso})}}`;
};

function inline(part: Inline, partMax: number, inCard: boolean): string {
  if (typeof part === 'string') return mdLine(part, partMax);
  // Adaptive Card text has no code spans (a backtick shows as typed, and `{{DATE(…)}}` inside would still be expanded): plain, escaped text there.
  if ('code' in part) return inCard ? mdLine(part.code, 300) : `\`${neutralize(part.code.slice(0, 300)).replace(/[`\r\n]/g, ' ')}\``;
  if ('strong' in part) return `**${mdLine(part.strong, 300)}**`;
  if ('date' in part) return inCard ? teamsDate(part.date) : part.date.toISOString().replace(/\.\d{3}Z$/, 'Z');
  if ('icon' in part) return ICONS[part.icon];
  return personName(part.person);
}

/** A person on a Teams surface: their name when known; a reviewer of another platform says which. */
export const personName = (p: Person): string =>
  p.name ? mdLine(p.name, 150) : p.platform === 'teams' ? mdLine(p.id, 150) : `${mdLine(capitalised(p.platform), 20)} user ${mdLine(p.id, 100)}`;

const capitalised = (s: string) => `${s.slice(0, 1).toUpperCase()}${s.slice(1)}`;
