import type { Policy, RolloutStage } from './policy-model.js';

/** Controls this many days or fewer before their `review_by` date are due soon. */
export const REVIEW_SOON_DAYS = 14;

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` naming a day that exists (no 2027-02-30). */
export function isCalendarDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === text;
}

/** One temporary control of the policy: a tool, a `when` rule or a rollout stage with a `review_by` date. */
export interface ReviewDate {
  /** The rule name decisions record: `tools.<tool>`, `tools.<tool>.when[i]`, `tools.<tool>.rollout[i]`. */
  control: string;
  tool: string;
  /** The tool's owner; absent when the tool names none. */
  owner?: string;
  /** What the control says, in the policy's own words (a condition, a slice), for a reader to recognise it. */
  what: string;
  reviewBy: string;
  /** Whole days from today (UTC) to the date: negative once it has passed. */
  daysLeft: number;
  status: 'overdue' | 'due_soon' | 'later';
}

/**
 * Every control with a review date, soonest first. Dates are calendar days in
 * UTC: a control is overdue the day after its date, and due soon from
 * REVIEW_SOON_DAYS days before it through the date itself.
 */
export function reviewDates(policy: Pick<Policy, 'tools'>, now: Date): ReviewDate[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const out: ReviewDate[] = [];
  const add = (control: string, tool: { name: string; owner?: string }, what: string, reviewBy: string | undefined) => {
    if (reviewBy === undefined) return;
    const daysLeft = Math.round((Date.parse(`${reviewBy}T00:00:00Z`) - today) / DAY_MS);
    const status = daysLeft < 0 ? 'overdue' : daysLeft <= REVIEW_SOON_DAYS ? 'due_soon' : 'later';
    out.push({ control, tool: tool.name, ...(tool.owner ? { owner: tool.owner } : {}), what, reviewBy, daysLeft, status });
  };
  for (const tool of policy.tools.values()) {
    add(`tools.${tool.name}`, tool, `mode ${tool.mode}`, tool.reviewBy);
    tool.when.forEach((w, i) => add(`tools.${tool.name}.when[${i}]`, tool, `if ${w.source} then ${w.then}`, w.reviewBy));
    (tool.rollout ?? []).forEach((s, i) => add(`tools.${tool.name}.rollout[${i}]`, tool, `${describeStage(s)} → ${s.mode}`, s.reviewBy));
  }
  return out.sort((a, b) => a.daysLeft - b.daysLeft || a.control.localeCompare(b.control));
}

/** The controls a review should look at now: overdue, or due within REVIEW_SOON_DAYS days. */
export const dueForReview = (policy: Pick<Policy, 'tools'>, now: Date): ReviewDate[] =>
  reviewDates(policy, now).filter((r) => r.status !== 'later');

const describeStage = (s: RolloutStage): string => (s.kind === 'segment' ? `if ${s.condition.source}` : `${s.percent}% by ${s.by}`);
