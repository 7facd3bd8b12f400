import { ACTION_STATUSES } from '../../../src/domain/action-status.js';
import type { Action } from '../../../src/domain/action.js';
import { DECISIONS } from '../../../src/domain/decision.js';
import { queryOf } from '../activity-filters.js';
import { html, type Html } from '../html.js';
import { timeOf } from '../render-message.js';
import { layout, type Chrome } from './layout.js';

export interface ActivityView {
  tenant: string;
  /** The filters as sent, to fill the form and keep them in links. */
  form: Record<string, string>;
  /** What the selects offer: the tenant's tools and agents in the policy. */
  tools: string[];
  agents: string[];
  actions: Action[];
  nextCursor: string | null;
  /** The most rows an export holds. */
  exportMax: number;
}

/** The tenant's actions, newest first, filtered, a page at a time, with links to export what the filters select. */
export function activityPage(v: ActivityView, chrome: Chrome): Html {
  const t = encodeURIComponent(v.tenant);
  const base = `/console/t/${t}/activity`;
  const select = (name: string, label: string, options: readonly string[]) => html`<div>
<label for="f-${name}">${label}</label>
<select id="f-${name}" name="${name}"><option value="">any</option>${options.map((o) => html`<option${v.form[name] === o ? html` selected` : ''}>${o}</option>`)}</select>
</div>`;
  const date = (name: string, label: string) => html`<div><label for="f-${name}">${label}</label><input type="date" id="f-${name}" name="${name}" value="${v.form[name] ?? ''}"></div>`;
  const { cursor: _drop, ...filters } = v.form;
  const rows = v.actions.map(
    (a) => html`<tr>
<td>${timeOf(a.createdAt)}</td>
<td><a href="/console/t/${t}/actions/${encodeURIComponent(a.id)}"><code>${a.id.slice(0, 8)}</code></a></td>
<td><code>${a.tool}</code></td>
<td>${a.agent}</td>
<td>${a.requester.display ?? a.requester.id}</td>
<td>${a.decision}${a.decision === 'constrain' || a.decision === 'fallback' ? html` <span class="mode">(${a.mode})</span>` : ''}</td>
<td>${a.status}</td>
<td>${a.reviewerGroup ?? '—'}</td>
</tr>`,
  );
  return layout(
    'Activity',
    html`<h1>Activity</h1>
<form class="filters" method="get" action="${base}" aria-label="Filter the actions">
${select('tool', 'Tool', v.tools)}
${select('agent', 'Agent', v.agents)}
${select('decision', 'Decision', DECISIONS)}
${select('status', 'Status', ACTION_STATUSES)}
${date('since', 'From (UTC)')}
${date('until', 'To (UTC, inclusive)')}
${v.form.limit ? html`<input type="hidden" name="limit" value="${v.form.limit}">` : ''}
<div class="filter-actions"><button type="submit">Filter</button> <a href="${base}">Clear</a></div>
</form>
<p class="exports">Export what these filters select (newest first, at most ${v.exportMax.toLocaleString('en')} actions):
<a href="${base}/export?${queryOf(filters, { format: 'csv' })}">CSV</a> ·
<a href="${base}/export?${queryOf(filters, { format: 'jsonl' })}">JSON Lines</a></p>
${
  v.actions.length === 0
    ? html`<p class="empty">No action matches.</p>`
    : html`<div class="activity"><table aria-label="Actions, newest first">
<thead><tr><th scope="col">Requested</th><th scope="col">Action</th><th scope="col">Tool</th><th scope="col">Agent</th><th scope="col">Requester</th><th scope="col">Decision</th><th scope="col">Status</th><th scope="col">Group</th></tr></thead>
<tbody>${rows}</tbody></table></div>`
}
${v.nextCursor ? html`<p class="pager"><a href="${base}?${queryOf(filters, { cursor: v.nextCursor })}">Older actions</a></p>` : ''}`,
    { ...chrome, current: 'activity' },
  );
}
