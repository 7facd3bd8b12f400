import { showInvisible } from '../../src/domain/visible-text.js';

/** Markup that is already safe: built only by `html` (or `raw` for a constant), never from a string that arrived from outside. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Untrusted text as HTML: markup characters escaped (in text and in quoted
 * attributes alike), and characters that would change how the text around
 * them reads (bidirectional controls, zero-width) made visible.
 */
export const escapeHtml = (text: string): string => showInvisible(text).replace(/[&<>"']/g, (c) => ENTITIES[c]!);

/** A constant piece of markup (never text from a request, an agent or the policy). */
export const raw = (markup: string) => new Html(markup);

/**
 * The one way pages are written: every interpolated value is escaped unless
 * it is Html already; arrays are joined; undefined, null and false render
 * nothing.
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += piece(v) + strings[i + 1]!;
  });
  return new Html(out);
}

function piece(v: unknown): string {
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(piece).join('');
  if (v === undefined || v === null || v === false) return '';
  return escapeHtml(String(v));
}
