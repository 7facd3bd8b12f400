import type { Inline, Line, Message, Person } from '../../src/domain/message.js';
import { html, type Html } from './html.js';

/** A string part longer than this is cut (a card's own blocks have their own limits). */
const PART_MAX = 4000;

/**
 * Structured text as HTML, the console's translation of what Slack renders
 * as mrkdwn and Teams as markdown: strings are always escaped, formatting
 * comes only from the structure.
 */
export const renderMessage = (m: Message): Html => html`${m.lines.map((line) => html`<p>${renderLine(line)}</p>`)}`;

export const renderLine = (line: Line): Html => html`${line.map(inline)}`;

function inline(part: Inline): Html | string {
  if (typeof part === 'string') return part.length > PART_MAX ? `${part.slice(0, PART_MAX)}…` : part;
  if ('code' in part) return html`<code>${part.code.slice(0, 300)}</code>`;
  if ('strong' in part) return html`<strong>${part.strong}</strong>`;
  if ('date' in part) return timeOf(part.date);
  // Drawn by the style sheet; the words around it carry the meaning.
  if ('icon' in part) return html`<span class="icon icon-${part.icon}" aria-hidden="true"></span>`;
  return personOf(part.person);
}

/**
 * A moment: written in UTC, which assets/local-time.js rewrites in the
 * viewer's time zone, keeping the UTC time in the title.
 */
export function timeOf(date: Date): Html {
  const iso = date.toISOString();
  const utc = `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
  return html`<time datetime="${iso}" title="${utc}">${utc}</time>`;
}

const personOf = (p: Person): Html => html`<span class="person">${p.name ?? p.id}</span>`;
