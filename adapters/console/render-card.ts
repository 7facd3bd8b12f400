import type { ApprovalCard, CardBlock } from '../../src/domain/approval-card.js';
import { html, raw, type Html } from './html.js';
import { renderLine } from './render-message.js';

/** Arguments longer than this (as indented JSON) are cut; the action page is not the place to read megabytes. */
const ARGS_MAX = 20_000;

/**
 * The shared approval card as HTML, block by block, as the Slack and Teams
 * renderers translate it: no content is added or dropped here, and every
 * string is escaped. `controls` (the review forms) go at the end while the
 * card waits for a decision.
 */
export function renderCard(card: ApprovalCard, opts: { controls?: Html; headingLevel?: 2 | 3 } = {}): Html {
  const h = opts.headingLevel ?? 2;
  const tag = raw(h === 2 ? 'h2' : 'h3');
  const title = html`<span class="lead">${card.title.lead}</span> <code>${card.title.tool}</code>`;
  return html`<article class="card tone-${card.tone}" aria-labelledby="card-${card.actionId}">
<${tag} id="card-${card.actionId}">${title}</${tag}>
${card.blocks.map((b) => block(b, h + 1))}
${opts.controls}
</article>`;
}

function block(b: CardBlock, level: number): Html {
  const heading = (text: string) => (level === 3 ? html`<h3>${text}</h3>` : html`<h4>${text}</h4>`);
  switch (b.kind) {
    case 'warning':
      return html`<p class="warning"><strong>${b.text}</strong></p>`;
    case 'outcome':
      return html`<section class="outcome outcome-${b.outcome}"><p>${renderLine(b.headline)}</p>${b.reason ? html`<blockquote>${b.reason}</blockquote>` : ''}${b.detail ? html`<p>${b.detail}</p>` : ''}</section>`;
    case 'facts':
      return html`<dl class="facts">${b.facts.map((f) => html`<div><dt>${f.label}</dt><dd>${renderLine(f.value)}</dd></div>`)}</dl>`;
    case 'quote':
      return html`${heading(b.title)}<blockquote>${b.text}</blockquote>`;
    case 'text':
      return html`${heading(b.title)}<p class="text">${b.text}</p>`;
    case 'list':
      return html`${heading(b.title)}<ul>${b.items.map((i) => html`<li>${i}</li>`)}</ul>`;
    case 'args': {
      const json = JSON.stringify(b.args, null, 2) ?? '{}';
      const shown = json.length > ARGS_MAX ? `${json.slice(0, ARGS_MAX)}\n… (${json.length - ARGS_MAX} more characters)` : json;
      return html`${heading(b.title)}<pre class="args">${shown}</pre>`;
    }
    case 'lines':
      return html`${b.title ? heading(b.title) : ''}${b.lines.map((l) => html`<p>${renderLine(l)}</p>`)}`;
    case 'note':
      return html`<p class="note">${renderLine(b.line)}</p>`;
  }
}
