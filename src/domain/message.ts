/**
 * Text Airlock says to people (admin replies, channel notices, refusals),
 * kept as structure so each surface renders and escapes it its own way: Slack
 * mrkdwn, Teams markdown, a terminal's plain text. Strings are untrusted text
 * and are always escaped; only the structure carries formatting.
 */
/** A chat user or an operator; the platform that owns the id renders a mention, anything else the name or id. */
export interface Person {
  platform: string;
  id: string;
  name?: string;
}

/**
 * A symbol each surface draws its own way (an emoji in chat, a word in a
 * terminal); it carries no information the text around it does not.
 */
export type Icon = 'irreversible' | 'risk_low' | 'risk_medium' | 'risk_high' | 'quorum' | 'reminder';

/** `date`: a moment each surface shows in its reader's time zone where it can. */
export type Inline = string | { code: string } | { strong: string } | { person: Person } | { date: Date } | { icon: Icon };

export type Line = Inline[];

export interface Message {
  lines: Line[];
}

export const message = (...lines: Line[]): Message => ({ lines });

/** The message as plain text (terminal, logs, tests). */
export const toPlainText = (m: Message): string => m.lines.map((line) => line.map(plainInline).join('')).join('\n');

function plainInline(part: Inline): string {
  if (typeof part === 'string') return part;
  if ('code' in part) return part.code;
  if ('strong' in part) return part.strong;
  if ('date' in part) return part.date.toISOString();
  if ('icon' in part) return '';
  return part.person.name ?? part.person.id;
}
