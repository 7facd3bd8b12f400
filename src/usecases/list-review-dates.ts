import type { Policy } from '../domain/policy-model.js';
import { REVIEW_SOON_DAYS, dueForReview } from '../domain/review-dates.js';
import { escapeTerminal, toTerminalJson } from '../domain/terminal-text.js';

/** `airlock policy review --json`: the controls due for review, with their owners. */
export interface ReviewDatesReport {
  /** The UTC day the report was made for (YYYY-MM-DD). */
  today: string;
  window_days: number;
  overdue: number;
  due_soon: number;
  controls: { control: string; tool: string; owner: string | null; what: string; review_by: string; days_left: number; status: 'overdue' | 'due_soon' }[];
}

/** The controls past or within REVIEW_SOON_DAYS days of their `review_by` date, soonest first. */
export function listReviewDates(policy: Pick<Policy, 'tools'>, now: Date): ReviewDatesReport {
  const due = dueForReview(policy, now);
  return {
    today: now.toISOString().slice(0, 10),
    window_days: REVIEW_SOON_DAYS,
    overdue: due.filter((r) => r.status === 'overdue').length,
    due_soon: due.filter((r) => r.status === 'due_soon').length,
    controls: due.map((r) => ({
      control: r.control,
      tool: r.tool,
      owner: r.owner ?? null,
      what: r.what,
      review_by: r.reviewBy,
      days_left: r.daysLeft,
      status: r.status === 'overdue' ? 'overdue' : 'due_soon',
    })),
  };
}

/** The report for a terminal: one line per control. Policy text is escaped: a file may hold control characters. */
export function reviewDatesText(report: ReviewDatesReport): string {
  if (report.controls.length === 0) return `No control is past its review date or due within ${report.window_days} days (today ${report.today}, UTC).`;
  const head = `${report.overdue} overdue, ${report.due_soon} due within ${report.window_days} days (today ${report.today}, UTC):`;
  const lines = report.controls.map(
    (c) => `  ${c.status === 'overdue' ? 'OVERDUE' : 'due    '}  ${c.review_by} (${when(c.days_left)})  ${c.control}  owner ${c.owner ?? '(none)'}  ${c.what}`,
  );
  return [head, ...lines].map(escapeTerminal).join('\n');
}

/** The report as one JSON document a terminal can show safely. */
export const reviewDatesJson = (report: ReviewDatesReport): string => toTerminalJson(report);

/** What `policy check` warns about (it still exits 0): every control whose review date has passed. */
export function overdueWarnings(policy: Pick<Policy, 'tools'>, now: Date): string[] {
  return dueForReview(policy, now)
    .filter((r) => r.status === 'overdue')
    .map((r) => escapeTerminal(`warning: ${r.control} (owner ${r.owner ?? '(none)'}) was due for review on ${r.reviewBy}, ${when(r.daysLeft)}`));
}

const when = (days: number) => (days === 0 ? 'today' : days < 0 ? `${-days} day${days === -1 ? '' : 's'} ago` : `in ${days} day${days === 1 ? '' : 's'}`);
