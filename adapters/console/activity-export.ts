import type { Action } from '../../src/domain/action.js';

/** The columns of an export, in order: what an auditor needs to find an action again, never its arguments. */
const COLUMNS = ['created_at', 'id', 'tool', 'agent', 'requester_id', 'requester_email', 'decision', 'mode', 'status', 'rule', 'policy_version', 'reviewer_group', 'decided_at'] as const;

type Row = Record<(typeof COLUMNS)[number], string | null>;

export const exportRow = (a: Action): Row => ({
  created_at: a.createdAt.toISOString(),
  id: a.id,
  tool: a.tool,
  agent: a.agent,
  requester_id: a.requester.id,
  requester_email: a.requester.email ?? null,
  decision: a.decision,
  mode: a.mode,
  status: a.status,
  rule: a.rule,
  policy_version: a.policyVersion,
  reviewer_group: a.reviewerGroup ?? null,
  decided_at: a.decidedAt?.toISOString() ?? null,
});

export const CSV_HEADER = `${COLUMNS.join(',')}\r\n`;

/**
 * One CSV record (RFC 4180). A cell a spreadsheet would read as a formula
 * (starting with `=`, `+`, `-`, `@`, a tab or a carriage return: an agent
 * writes the requester id) is prefixed with `'` so it stays text.
 */
export const csvRecord = (row: Row): string => `${COLUMNS.map((c) => csvCell(row[c])).join(',')}\r\n`;

function csvCell(value: string | null): string {
  if (value === null) return '';
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const jsonLine = (row: Row): string => `${JSON.stringify(row)}\n`;
