/**
 * Helpers that turn untrusted text (agent summaries, arguments, names) into
 * Adaptive Card text that can neither format itself, mention anyone, nor
 * reorder what a reviewer reads, and that fits a length limit. Lengths are in
 * UTF-16 code units; the renderer checks the final size in bytes.
 */

import { showInvisible } from '../../src/domain/visible-text.js';

const ELLIPSIS = '…';

/** Characters that reorder or hide text are shown as a visible `[U+XXXX]` (the same rule as every chat text). */
export const neutralize = showInvisible;

/**
 * Adaptive Card TextBlocks and FactSet values render a Markdown subset
 * (CommonMark in the Teams clients): every punctuation character that can
 * start markup is backslash-escaped, so untrusted text renders as typed.
 * `<` and `>` are escaped too (no `<at>` mentions, no autolinks).
 */
const MARKDOWN_SPECIAL = /[\\`*_{}[\]()#+\-.!|<>~&"']/g;

export const escapeMarkdown = (text: string): string => text.replace(MARKDOWN_SPECIAL, (c) => `\\${c}`);

/** Cuts `text` to at most `max` code units, ending with an ellipsis when anything was cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${dropSplitSurrogate(text.slice(0, Math.max(0, max - ELLIPSIS.length)))}${ELLIPSIS}`;
}

/** Like `truncate`, for escaped text: never leaves a dangling backslash that would escape the ellipsis. */
export function truncateEscaped(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = dropSplitSurrogate(text.slice(0, Math.max(0, max - ELLIPSIS.length)));
  const trailing = /\\+$/.exec(cut)?.[0].length ?? 0;
  if (trailing % 2 === 1) cut = cut.slice(0, -1);
  return `${cut}${ELLIPSIS}`;
}

/**
 * Untrusted text for a Markdown field: neutralized, escaped, line breaks kept
 * (a Markdown line break needs a blank line), cut to `max`. Slicing first keeps
 * a 100k-character value cheap.
 */
export function md(text: string, max: number): string {
  const escaped = escapeMarkdown(neutralize(text.slice(0, max + 1)))
    .split(/\r\n|\r|\n/)
    .join('\n\n');
  return truncateEscaped(escaped, max);
}

/** Untrusted text on one line (facts, titles): whitespace runs collapse to one space. */
export const mdLine = (text: string, max: number): string => truncateEscaped(escapeMarkdown(neutralize(text.slice(0, max + 1)).replace(/\s+/g, ' ')), max);

/** Untrusted text for a plain-text property (input labels, notification text): neutralized, not escaped. */
export const plain = (text: string, max: number): string => truncate(neutralize(text.slice(0, max + 1)), max);

function dropSplitSurrogate(text: string): string {
  const last = text.charCodeAt(text.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? text.slice(0, -1) : text;
}
