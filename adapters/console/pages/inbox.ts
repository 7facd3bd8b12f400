import type { CardContent } from '../../../src/ports/chat-platform.js';
import { html, type Html } from '../html.js';
import { renderCard } from '../render-card.js';
import { layout, type Chrome } from './layout.js';
import { reviewForms } from './review-forms.js';

export interface InboxView {
  tenant: string;
  /** The reviewer groups this person decides for in the tenant. */
  groups: string[];
  total: number;
  items: CardContent[];
}

/** What waits for the signed-in reviewer, oldest first, each as its card with the forms to decide it. */
export function inboxPage(v: InboxView, chrome: Chrome): Html {
  const t = encodeURIComponent(v.tenant);
  const intro =
    v.groups.length === 0
      ? html`<p>You decide for no reviewer group in this tenant, so nothing waits for you here.</p>`
      : v.total === 0
        ? html`<p class="empty">Nothing waits for a decision from ${groupList(v.groups)}.</p>`
        : html`<p>${v.total} approval${v.total === 1 ? '' : 's'} wait${v.total === 1 ? 's' : ''} for ${groupList(v.groups)}, oldest first${v.items.length < v.total ? html`; the oldest ${v.items.length} are shown` : ''}.</p>`;
  const cards = v.items.map((c) => {
    const controls = c.card.buttons ? reviewForms(c.card.buttons, { action: `/console/t/${t}/actions/${encodeURIComponent(c.action.id)}/review`, csrf: chrome.csrf, back: `/console/t/${t}/inbox` }) : undefined;
    const details = html`<p class="more"><a href="/console/t/${t}/actions/${encodeURIComponent(c.action.id)}">Details and story of this action</a></p>`;
    return html`<li>${renderCard(c.card, { controls: html`${details}${controls}` })}</li>`;
  });
  return layout('Inbox', html`<h1>Inbox</h1>${intro}<ol class="cards">${cards}</ol>`, { ...chrome, tenant: v.tenant, current: 'inbox' });
}

const groupList = (groups: string[]) => html`${groups.map((g, i) => html`${i > 0 ? (i === groups.length - 1 ? ' and ' : ', ') : ''}<strong>${g}</strong>`)}`;
