import { approvalRate, type ApprovalFigures, type EvidenceReport } from '../../src/domain/evidence.js';
import { escapeTerminal } from '../../src/domain/terminal-text.js';

/** A cell and which side it is aligned to: names left, figures right (so digits line up). */
type Cell = { text: string; right?: boolean };
const left = (text: string): Cell => ({ text: escapeTerminal(text) });
const right = (text: string): Cell => ({ text, right: true });
/** `12,480`: digits grouped, so a count's size reads at a glance. */
const grouped = (n: number) => n.toLocaleString('en-US');
const count = (n: number) => right(grouped(n));

/** Columns two spaces apart, each as wide as its widest cell; no trailing blanks. */
function table(head: string[], rows: Cell[][]): string[] {
  const all = [head.map((h, i) => ({ text: h, right: rows[0]?.[i]?.right })), ...rows];
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i]!.text.length)));
  return all.map((r) => r.map((c, i) => (c.right ? c.text.padStart(widths[i]!) : c.text.padEnd(widths[i]!))).join('  ').trimEnd());
}

/** `42.9%`; `-` when there is nothing to divide. */
export const percent = (share: number | null): string => (share === null ? '-' : `${(share * 100).toFixed(1)}%`);

/**
 * A duration as a person reads it, to the second and at most two units:
 * `45s`, `4m 10s`, `2h 5m`, `3d 4h`; `-` when there is none.
 */
export function humanDuration(seconds: number | null): string {
  if (seconds === null) return '-';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3_600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86_400) return `${Math.floor(s / 3_600)}h ${Math.floor((s % 3_600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3_600)}h`;
}

const utc = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

const APPROVAL_HEAD = ['QUEUED', 'APPROVED', 'DENIED', 'EXPIRED', 'WITHDRAWN', 'PENDING', 'APPROVAL RATE', 'P50', 'P90'];
const approvalCells = (a: ApprovalFigures): Cell[] => [
  count(a.queued),
  count(a.approved),
  count(a.denied),
  count(a.expired),
  count(a.withdrawn),
  count(a.pending),
  right(percent(approvalRate(a))),
  right(humanDuration(a.p50Seconds)),
  right(humanDuration(a.p90Seconds)),
];

/**
 * `airlock report` for a person at a terminal: four aligned tables (decisions
 * at intake, approvals, results, reviewer groups) under one line naming the
 * window. Tool and group names are escaped: a tool name an agent sent (one the
 * policy does not register, denied at intake) could carry terminal controls.
 */
export function formatReport(r: EvidenceReport): string {
  const total = r.tools.reduce((n, t) => n + t.actions, 0);
  const scope = `tenant ${r.tenant}${r.tool !== undefined ? `, tool ${r.tool}` : ''}, ${utc(r.since)} → ${utc(r.until)}`;
  if (total === 0) return escapeTerminal(`No actions for ${scope}.`);
  const lines = [escapeTerminal(`Evidence for ${scope}: ${grouped(total)} action(s)`)];
  const section = (title: string, body: string[]) => lines.push('', title, ...body);

  section(
    'Decisions at intake',
    table(
      ['TOOL', 'DECISION', 'MODE', 'COUNT', 'SHARE'],
      r.tools.flatMap((t) => t.decisions.map((d) => [left(t.tool), left(d.decision), left(d.mode), count(d.count), right(percent(d.count / t.actions))])),
    ),
  );
  section(
    'Approvals (approval rate: approved of those reviewers decided; P50/P90: time from request to that decision)',
    table(['TOOL', ...APPROVAL_HEAD], r.tools.filter((t) => t.approvals.queued > 0).map((t) => [left(t.tool), ...approvalCells(t.approvals)])),
  );
  section(
    'Results reported by agents',
    table(
      ['TOOL', 'ACTIONS', 'FALLBACKS', 'SUCCEEDED', 'FAILED', 'ROLLED BACK', 'ARGS MISMATCH'],
      r.tools.map((t) => [left(t.tool), count(t.actions), count(t.fallbacks), count(t.results.succeeded), count(t.results.failed), count(t.results.rolledBack), count(t.results.argsMismatches)]),
    ),
  );
  if (r.groups.length > 0) section('Reviewer groups', table(['GROUP', ...APPROVAL_HEAD], r.groups.map((g) => [left(g.group), ...approvalCells(g.approvals)])));
  return lines.join('\n');
}

const approvalsJson = (a: ApprovalFigures) => ({
  queued: a.queued,
  approved: a.approved,
  denied: a.denied,
  expired: a.expired,
  withdrawn: a.withdrawn,
  pending: a.pending,
  approval_rate: approvalRate(a),
  time_to_decision_seconds: { p50: a.p50Seconds, p90: a.p90Seconds },
});

/** `airlock report --json`: the same figures, unrounded (rates as fractions, times in seconds). */
export const reportJson = (r: EvidenceReport) => ({
  tenant: r.tenant,
  ...(r.tool !== undefined ? { tool: r.tool } : {}),
  since: r.since.toISOString(),
  until: r.until.toISOString(),
  actions: r.tools.reduce((n, t) => n + t.actions, 0),
  tools: r.tools.map((t) => ({
    tool: t.tool,
    actions: t.actions,
    decisions: t.decisions,
    fallbacks: t.fallbacks,
    approvals: approvalsJson(t.approvals),
    results: { succeeded: t.results.succeeded, failed: t.results.failed, rolled_back: t.results.rolledBack, args_mismatches: t.results.argsMismatches },
  })),
  reviewer_groups: r.groups.map((g) => ({ group: g.group, approvals: approvalsJson(g.approvals) })),
});
