import type { Decision, Mode } from './decision.js';
import { parseDuration } from './duration.js';
import { AirlockError } from './errors.js';
import { isCalendarDate } from './review-dates.js';

/**
 * The evidence a policy owner reads before giving a tool more autonomy or
 * taking it back: what the gate decided for the tool's requests in a window
 * and how the approvals among them ended.
 */

/** How the approvals queued in the window stand now. */
export interface ApprovalFigures {
  /** Queued for approval at intake (whatever happened next). */
  queued: number;
  approved: number;
  /** Denied by reviewers. */
  denied: number;
  /** Nobody decided before the deadline (or the card could not be delivered): the tool's `on_timeout` applied. */
  expired: number;
  /** Ended by an admin change or a policy reload before anyone decided. */
  withdrawn: number;
  pending: number;
  /** Seconds from request to the reviewers' decision (approved or denied); null without any. */
  p50Seconds: number | null;
  p90Seconds: number | null;
}

export interface ResultFigures {
  succeeded: number;
  failed: number;
  rolledBack: number;
  /** Reported results whose executed arguments were not the bound ones. */
  argsMismatches: number;
}

export interface ToolEvidence {
  tool: string;
  actions: number;
  /** Decisions as given at intake: a queued action counts as `queue_for_approval` however it ended. */
  decisions: { decision: Decision; mode: Mode; count: number }[];
  /** Actions that ended in a fallback mode: at intake, or when a wait for approval timed out or met incident mode. */
  fallbacks: number;
  approvals: ApprovalFigures;
  results: ResultFigures;
}

/** The load on one reviewer group: the approvals it was asked for (the escalation group, once escalated). */
export interface GroupEvidence {
  group: string;
  approvals: ApprovalFigures;
}

/** How many actions of one intake decision were requested in one slice of the window. */
export interface TimelinePoint {
  /** The slice's start; slices are `bucketSeconds` wide (whole hours), aligned on the Unix epoch: on clock hours, a day's on midnight UTC. */
  start: Date;
  decision: Decision;
  count: number;
}

export interface EvidenceReport {
  tenant: string;
  since: Date;
  until: Date;
  tool?: string;
  /** Tools with at least one action in the window, by name. */
  tools: ToolEvidence[];
  groups: GroupEvidence[];
  /** Decisions over time, when asked for: only the slices with actions, oldest first. */
  timeline?: { bucketSeconds: number; points: TimelinePoint[] };
}

/**
 * Share of the reviewers' decisions that were approvals: approved over
 * approved plus denied. Expired and withdrawn approvals are left out, since
 * nobody judged them; they are shown next to it. Null when nobody decided.
 */
export function approvalRate(a: Pick<ApprovalFigures, 'approved' | 'denied'>): number | null {
  const decided = a.approved + a.denied;
  return decided === 0 ? null : a.approved / decided;
}

/** The window a report covers when `--since` is not given. */
export const DEFAULT_REPORT_WINDOW = '30d';

/**
 * The start of a report window: a span back from `now` (`7d`, `24h`, `90m`) or
 * an ISO 8601 date or time (`2026-01-31`, `2026-01-31T08:00:00Z`). Refused:
 * anything else, and a start after `now`.
 */
export function windowStart(text: string, now: Date): Date {
  const span = parseDuration(text);
  const start = span !== undefined ? new Date(now.getTime() - span) : parseIsoInstant(text);
  if (!start) {
    throw new AirlockError('validation_failed', `--since ${JSON.stringify(text)} is neither a span back from now (7d, 24h, 30m) nor an ISO date or time (2026-01-31, 2026-01-31T08:00:00Z)`);
  }
  if (start.getTime() > now.getTime()) throw new AirlockError('validation_failed', `--since ${text} is in the future: the window would be empty`);
  return start;
}

const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** A date (midnight UTC) or a time with its offset; Date.parse alone takes too much (`2026`, local times). */
function parseIsoInstant(text: string): Date | undefined {
  if (!ISO.test(text)) return undefined;
  // Date.parse rolls 2026-02-30 over to March: a day that does not exist is a typo.
  if (!isCalendarDate(text.slice(0, 10))) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}
