/**
 * Helpers that turn untrusted text (agent summaries, arguments, names) into
 * Slack mrkdwn that can neither ping anyone nor break out of its formatting,
 * and that fits a length limit. Lengths are counted in UTF-16 code units,
 * which is never less than what Slack counts, so a limit met here holds there.
 */

import type { Person } from '../../src/domain/message.js';
import { showInvisible } from '../../src/domain/visible-text.js';

const ELLIPSIS = '…';

/**
 * Slack parses `<…>` as mentions, links and dates (`<!channel>`, `<@U1>`) and
 * only these three characters need escaping; everything else renders as typed,
 * except characters that reorder or hide text, which are made visible.
 */
export const escapeMrkdwn = (text: string): string =>
  showInvisible(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Plain text (headers, labels, button and confirm texts) cut to at most `max`
 * code units, ending with an ellipsis when anything was cut; characters that
 * reorder or hide text are made visible.
 */
export function truncate(raw: string, max: number): string {
  const text = showInvisible(raw.slice(0, max * 2 + 16));
  if (text.length <= max) return text;
  return `${dropSplitSurrogate(text.slice(0, Math.max(0, max - ELLIPSIS.length)))}${ELLIPSIS}`;
}

/** Like `truncate`, for text that is already escaped: never leaves half an `&amp;` behind. */
export function truncateMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = dropSplitSurrogate(text.slice(0, Math.max(0, max - ELLIPSIS.length)));
  const amp = cut.lastIndexOf('&');
  if (amp !== -1 && amp >= cut.length - 4 && !cut.includes(';', amp)) cut = cut.slice(0, amp);
  return `${cut}${ELLIPSIS}`;
}

/** Escapes and truncates untrusted text. Slicing first keeps a 100k-character value cheap. */
export const mrkdwn = (text: string, max: number): string => truncateMrkdwn(escapeMrkdwn(text.slice(0, max + 1)), max);

/** Untrusted, possibly multi-line text as a block quote, so it reads as someone else's words. */
export function quote(text: string, max: number): string {
  const quoted = escapeMrkdwn(text.slice(0, max + 1))
    .split('\n')
    .map((line) => `>${line}`)
    .join('\n');
  return truncateMrkdwn(quoted, max);
}

/**
 * An identifier in inline code. Inline code cannot contain a backtick or a
 * newline, so those are replaced by look-alikes rather than letting a value
 * end the span and format what follows.
 */
export function inlineCode(text: string, max: number): string {
  const inner = mrkdwn(text, max - 2).replace(/`/g, 'ˋ').replace(/[\r\n]+/g, ' ');
  return inner.length === 0 ? '—' : `\`${inner}\``;
}

/**
 * A fenced code block of at most `max` characters, fences included. A run of
 * three backticks inside would close the fence early, so every backtick that
 * starts such a run gets a zero-width space after it.
 */
export function codeBlock(text: string, max: number): string {
  const fence = '```';
  const budget = max - 2 * fence.length - 2;
  const inner = escapeMrkdwn(text.slice(0, budget + 1)).replace(/`(?=``)/g, '`\u200b');
  return `${fence}\n${truncateMrkdwn(inner, budget)}\n${fence}`;
}

/** A bulleted list that stops before `max`, saying how many items it left out. */
export function bulletList(items: readonly string[], max: number, itemMax = 500): string {
  const lines: string[] = [];
  let length = 0;
  for (const [i, item] of items.entries()) {
    const line = `• ${mrkdwn(item, itemMax)}`;
    const rest = items.length - i - 1;
    // Leave room for the "and N more" line unless this is the last item.
    const reserve = rest > 0 ? `\n…and ${rest} more`.length : 0;
    if (length + line.length + 1 + reserve > max) {
      lines.push(`…and ${items.length - i} more`);
      return truncateMrkdwn(lines.join('\n'), max);
    }
    lines.push(line);
    length += line.length + 1;
  }
  return lines.join('\n');
}

/**
 * A person: a Slack user renders as a mention (Slack shows their name),
 * anyone else (a Teams reviewer, a CLI operator) as escaped text.
 */
export const person = (p: Person, max = 200): string =>
  p.platform === 'slack' && /^[UW][A-Z0-9]{1,20}$/.test(p.id) ? `<@${p.id}>` : mrkdwn(p.name ?? p.id, max);

/** People as a comma-separated list, at most `max` names. */
export const people = (list: readonly Person[], max = 10): string =>
  `${list.slice(0, max).map((p) => person(p, 150)).join(', ')}${list.length > max ? ` and ${list.length - max} more` : ''}`;

/** Slack renders this in each reader's own time zone; the ISO text is the fallback. */
export const slackDate = (at: Date): string =>
  `<!date^${Math.floor(at.getTime() / 1000)}^{date_short_pretty} {time}|${at.toISOString()}>`;

/**
 * A link, or undefined when the URL could break out of Slack's `<url|label>`
 * syntax or is too long to sit in a 2000-character context element.
 */
export const link = (url: string, label: string): string | undefined =>
  /^https?:\/\/[^\s<>|]+$/.test(url) && url.length <= 1500 ? `<${url.replace(/&/g, '&amp;')}|${escapeMrkdwn(label)}>` : undefined;

function dropSplitSurrogate(text: string): string {
  const last = text.charCodeAt(text.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? text.slice(0, -1) : text;
}
