import { approvalRate, type ApprovalFigures, type EvidenceReport } from '../../../src/domain/evidence.js';
import { html, raw, type Html } from '../html.js';
import { jsonForScript, timelineSeries, WINDOWS, type DashboardWindow } from './dashboard-data.js';
import { layout, type Chrome } from './layout.js';

const WINDOW_NAMES: Record<DashboardWindow, string> = { '24h': 'Last 24 hours', '7d': 'Last 7 days', '30d': 'Last 30 days' };
const TOP_TOOLS = 10;

const percent = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(r === 1 ? 0 : 1)} %`);
const count = (n: number) => n.toLocaleString('en');
function duration(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

const sum = (items: ApprovalFigures[], key: 'approved' | 'denied' | 'pending' | 'queued' | 'expired') => items.reduce((n, a) => n + a[key], 0);

/**
 * The tenant's evidence over a window, as `airlock report` computes it:
 * headline figures, decisions over time (a chart drawn by Airlock's own copy
 * of uPlot from the JSON block below it, with the same numbers in a table for
 * readers without script), then reviewer groups and tools as tables whose
 * <meter> bars need neither script nor inline style.
 */
export function dashboardPage(v: { tenant: string; window: DashboardWindow; report: EvidenceReport }, chrome: Chrome): Html {
  const { report } = v;
  const t = encodeURIComponent(v.tenant);
  const groups = report.groups.map((g) => g.approvals);
  const actions = report.tools.reduce((n, tool) => n + tool.actions, 0);
  const fallbacks = report.tools.reduce((n, tool) => n + tool.fallbacks, 0);
  const approved = sum(groups, 'approved');
  const denied = sum(groups, 'denied');
  const timeline = timelineSeries(report);
  const topTools = [...report.tools].sort((a, b) => b.actions - a.actions || a.tool.localeCompare(b.tool)).slice(0, TOP_TOOLS);
  const most = Math.max(1, ...topTools.map((tool) => tool.actions));
  const slowest = Math.max(1, ...report.groups.map((g) => g.approvals.p90Seconds ?? 0));

  const picker = html`<nav class="windows" aria-label="Window">${(Object.keys(WINDOWS) as DashboardWindow[]).map(
    (w) => html`<a href="/console/t/${t}/dashboard?window=${w}"${w === v.window ? raw(' aria-current="page"') : ''}>${WINDOW_NAMES[w]}</a>`,
  )}</nav>`;

  const tiles = html`<dl class="tiles">
<div><dt>Actions</dt><dd>${count(actions)}</dd></div>
<div><dt>Approval rate</dt><dd>${percent(approvalRate({ approved, denied }))}</dd><dd class="sub">${count(approved)} approved, ${count(denied)} denied by reviewers</dd></div>
<div><dt>Open approvals</dt><dd>${count(sum(groups, 'pending'))}</dd></div>
<div><dt>Expired</dt><dd>${count(sum(groups, 'expired'))}</dd><dd class="sub">nobody decided in time</dd></div>
<div><dt>Fallbacks</dt><dd>${count(fallbacks)}</dd></div>
</dl>`;

  const chart = html`<section class="panel" aria-labelledby="over-time">
<h2 id="over-time">Decisions over time</h2>
${
  timeline.series.length === 0
    ? html`<p class="empty">No actions in this window.</p>`
    : html`<div id="decisions-chart" class="chart" role="img" aria-label="Decisions over time, by decision; the same numbers are in the table below"></div>
<script type="application/json" id="decisions-data">${raw(jsonForScript(timeline))}</script>
<details><summary>As a table</summary>
<div class="scroll"><table><thead><tr><th scope="col">From</th>${timeline.series.map((s) => html`<th scope="col">${s.decision}</th>`)}</tr></thead>
<tbody>${timeline.x.map(
        (x, i) => html`<tr><th scope="row"><time datetime="${new Date(x * 1000).toISOString()}">${new Date(x * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC</time></th>${timeline.series.map((s) => html`<td class="num">${count(s.counts[i]!)}</td>`)}</tr>`,
      )}</tbody></table></div></details>`
}
</section>`;

  const groupTable = html`<section class="panel" aria-labelledby="groups">
<h2 id="groups">Approvals by reviewer group</h2>
${
  report.groups.length === 0
    ? html`<p class="empty">No approval was asked for in this window.</p>`
    : html`<div class="scroll"><table>
<thead><tr><th scope="col">Group</th><th scope="col" class="num">Asked</th><th scope="col" class="num">Approved</th><th scope="col" class="num">Denied</th><th scope="col" class="num">Expired</th><th scope="col" class="num">Withdrawn</th><th scope="col" class="num">Open</th><th scope="col" class="num">Approval rate</th><th scope="col">Decided in (p50 / p90)</th></tr></thead>
<tbody>${report.groups.map(
        (g) => html`<tr><th scope="row">${g.group}</th><td class="num">${count(g.approvals.queued)}</td><td class="num">${count(g.approvals.approved)}</td><td class="num">${count(g.approvals.denied)}</td><td class="num">${count(g.approvals.expired)}</td><td class="num">${count(g.approvals.withdrawn)}</td><td class="num">${count(g.approvals.pending)}</td><td class="num">${percent(approvalRate(g.approvals))}</td>
<td class="bar"><meter min="0" max="${slowest}" value="${g.approvals.p90Seconds ?? 0}" aria-hidden="true"></meter> ${duration(g.approvals.p50Seconds)} / ${duration(g.approvals.p90Seconds)}</td></tr>`,
      )}</tbody></table></div>`
}
</section>`;

  const toolTable = html`<section class="panel" aria-labelledby="tools">
<h2 id="tools">Top tools</h2>
${
  topTools.length === 0
    ? html`<p class="empty">No actions in this window.</p>`
    : html`<div class="scroll"><table>
<thead><tr><th scope="col">Tool</th><th scope="col">Actions</th><th scope="col" class="num">Fallbacks</th><th scope="col" class="num">Asked</th><th scope="col" class="num">Approval rate</th><th scope="col">Decided in (p50 / p90)</th><th scope="col" class="num">Failed</th></tr></thead>
<tbody>${topTools.map(
        (tool) => html`<tr><th scope="row"><code>${tool.tool}</code></th><td class="bar"><meter min="0" max="${most}" value="${tool.actions}" aria-hidden="true"></meter> ${count(tool.actions)}</td><td class="num">${count(tool.fallbacks)}</td><td class="num">${count(tool.approvals.queued)}</td><td class="num">${percent(approvalRate(tool.approvals))}</td><td>${duration(tool.approvals.p50Seconds)} / ${duration(tool.approvals.p90Seconds)}</td><td class="num">${count(tool.results.failed)}</td></tr>`,
      )}</tbody></table></div>${report.tools.length > TOP_TOOLS ? html`<p class="detail">The ${TOP_TOOLS} busiest of ${report.tools.length} tools; <code>airlock report</code> lists them all.</p>` : ''}`
}
</section>`;

  return layout(
    'Dashboard',
    html`<link rel="stylesheet" href="/console/assets/uPlot.min.css">
<h1>Dashboard</h1>
${picker}
<p class="detail">Actions requested from <time datetime="${report.since.toISOString()}">${report.since.toISOString()}</time> to <time datetime="${report.until.toISOString()}">${report.until.toISOString()}</time>, counted as <code>airlock report --since ${v.window}</code> counts them. Approvals count by the decision they were asked for at intake.</p>
${tiles}
${chart}
${groupTable}
${toolTable}
<script src="/console/assets/uPlot.iife.min.js" defer></script>
<script src="/console/assets/dashboard-chart.js" defer></script>`,
    { ...chrome, tenant: v.tenant, current: 'dashboard' },
  );
}
