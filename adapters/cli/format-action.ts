import { currentArgs, type Action } from '../../src/domain/action.js';
import { serializeAction } from '../../src/domain/action-view.js';
import { escapeTerminal } from '../../src/domain/terminal-text.js';
import type { ApprovalUseCases } from './cli-services.js';

type Pending = Awaited<ReturnType<ApprovalUseCases['pending']>>;

/** How much of an id `review list` prints: enough to tell a tenant's open approvals apart; `review show` and the rest accept it. */
export const SHORT_ID = 8;

/** The open approvals for a terminal, one line each; every value escaped, so none can pass for a line of its own. */
export function formatPendingList(pending: Pending, now: Date): string {
  if (pending.count === 0) return 'No pending approvals.';
  const lines = pending.items.map((p) =>
    escapeTerminal(`${p.id.slice(0, SHORT_ID)}  ${p.tool}  by ${p.agent}  → ${p.reviewerGroup ?? '?'}  waiting ${Math.round((now.getTime() - p.createdAt.getTime()) / 1000)}s`),
  );
  const more = pending.count > lines.length ? [`…and ${pending.count - lines.length} more`] : [];
  return [`${pending.count} pending approval(s), oldest first:`, ...lines, ...more].join('\n');
}

export const pendingListJson = (tenant: string, pending: Pending) => ({
  tenant,
  count: pending.count,
  items: pending.items.map((p) => ({ id: p.id, tool: p.tool, agent: p.agent, reviewer_group: p.reviewerGroup ?? null, created_at: p.createdAt.toISOString(), expires_at: p.expiresAt?.toISOString() ?? null })),
});

/** An approval as a reviewer reads it, as data: the API's view of the action plus what the card shows. */
export const actionJson = (a: Action) => ({
  ...serializeAction(a),
  round: a.round,
  risk: a.risk,
  effects: a.effects,
  requester: { id: a.requester.id, display: a.requester.display ?? null, email: a.requester.email ?? null },
  reviewer_group: a.reviewerGroup ?? null,
  required_approvals: a.requiredApprovals ?? 1,
  environment: a.environment,
  workflow: a.workflow ?? null,
  summary: a.summary ?? null,
  consequence: a.consequence ?? null,
  args: currentArgs(a),
});

/** An approval as a reviewer would read it, in plain text; every value escaped, so none can pass for a line of its own. */
export function formatAction(a: Action): string {
  const line = (label: string, value: unknown) => `${label.padEnd(14)}${escapeTerminal(String(value))}`;
  return [
    line('action', a.id),
    line('status', `${a.status} (${a.decision}${a.status === 'pending' ? `, round ${a.round}` : ''})`),
    line('tool', `${a.tool} (risk ${a.risk}${a.effects.length ? `, ${a.effects.join(', ')}` : ''})`),
    line('agent', a.agent),
    line('requester', [a.requester.display, a.requester.id, a.requester.email].filter(Boolean).join(' · ')),
    line('reviewers', `${a.reviewerGroup ?? '—'} (${a.requiredApprovals ?? 1} approval(s) needed)`),
    line('environment', `${a.environment}${a.workflow ? `, workflow ${a.workflow}` : ''}`),
    ...(a.summary ? [line('summary', a.summary)] : []),
    ...(a.consequence ? [line('consequence', a.consequence)] : []),
    line('deadline', a.expiresAt?.toISOString() ?? 'none'),
    line('arguments', `version ${a.argsVersion}: ${JSON.stringify(currentArgs(a))}`),
    ...a.reasons.map((r, i) => line(i === 0 ? 'why' : '', r)),
    ...a.reviews.map((r, i) => line(i === 0 ? 'reviews' : '', `${r.decision} by ${r.reviewer.platform} user ${r.reviewer.userId}${r.reviewer.via ? ` (via CLI, operator ${r.reviewer.via.operator})` : ''} at ${r.at.toISOString()}${r.reason ? `: ${r.reason}` : ''}`)),
  ].join('\n');
}
