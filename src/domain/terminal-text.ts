import { toPlainText, type Message } from './message.js';

/**
 * Characters a terminal acts on or does not show: C0 and C1 controls and DEL
 * (ESC starts sequences that move the cursor, erase or conceal what was
 * printed; CR overwrites a line; LF forges one), bidirectional controls (which
 * reorder text on screen), zero-width and other invisible characters, and the
 * Unicode line and paragraph separators.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const hex = (c: string, width: number) => c.charCodeAt(0).toString(16).padStart(width, '0');

/**
 * Untrusted text (what an agent, a requester or a reviewer wrote) for a
 * terminal: every such character becomes a visible escape (`\n`, `\x1b`,
 * `\u202e`), so a value can neither forge nor hide a line of the output.
 */
export const escapeTerminal = (text: string): string =>
  text.replace(UNSAFE, (c) => NAMED[c] ?? (c.charCodeAt(0) < 0x100 ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`));

/** A message for a terminal: its own line breaks kept, everything within a line escaped. */
export const toTerminalText = (m: Message): string => m.lines.map((line) => escapeTerminal(toPlainText({ lines: [line] }))).join('\n');

/**
 * A value as one line of JSON for a terminal. JSON.stringify escapes C0
 * controls but leaves DEL, C1 controls, bidirectional and invisible characters
 * raw inside strings; here they become `\u` escapes too, so the document is the
 * same JSON value and a terminal showing it acts on nothing an agent wrote.
 */
export const toTerminalJson = (value: unknown): string => JSON.stringify(value).replace(UNSAFE, (c) => `\\u${hex(c, 4)}`);
