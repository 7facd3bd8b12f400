import { ACTION_STATUSES, type ActionStatus } from '../../src/domain/action-status.js';
import { DECISIONS, type Decision } from '../../src/domain/decision.js';
import type { TenantActionFilters } from '../../src/usecases/list-tenant-actions.js';

/** Rows a page shows: `limit` defaults to the first and may not exceed the second. */
export const ACTIVITY_PAGE = { default: 50, max: 200 } as const;

const DAY_MS = 86_400_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export interface ActivityQuery {
  filters: TenantActionFilters;
  limit: number;
  cursor?: string;
  /** The filters as the form sent them, to fill the form again and build links. */
  form: Record<string, string>;
}

/**
 * The activity page's query string, checked: a value that names nothing
 * (a decision or status that does not exist, a date that is not one) is a
 * mistake to say, not a filter to drop silently. Dates are whole UTC days,
 * `until` included.
 */
export function parseActivityQuery(query: Record<string, unknown>): ActivityQuery | { error: string } {
  const text = (name: string): string | undefined => {
    const v = query[name];
    return typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, 200) : undefined;
  };
  const form: Record<string, string> = {};
  const filters: TenantActionFilters = {};
  for (const name of ['agent', 'tool'] as const) {
    const v = text(name);
    if (v) filters[name] = form[name] = v;
  }
  const decision = text('decision');
  if (decision) {
    if (!(DECISIONS as readonly string[]).includes(decision)) return { error: `decision must be one of ${DECISIONS.join(', ')}` };
    filters.decision = decision as Decision;
    form.decision = decision;
  }
  const status = text('status');
  if (status) {
    if (!(ACTION_STATUSES as readonly string[]).includes(status)) return { error: `status must be one of ${ACTION_STATUSES.join(', ')}` };
    filters.status = status as ActionStatus;
    form.status = status;
  }
  for (const name of ['since', 'until'] as const) {
    const v = text(name);
    if (!v) continue;
    const day = DATE.test(v) ? new Date(`${v}T00:00:00.000Z`) : undefined;
    if (!day || Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== v) return { error: `${name} must be a date, YYYY-MM-DD` };
    filters[name] = name === 'until' ? new Date(day.getTime() + DAY_MS) : day;
    form[name] = v;
  }
  const limitText = text('limit');
  const limit = limitText === undefined ? ACTIVITY_PAGE.default : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > ACTIVITY_PAGE.max) return { error: `limit must be a whole number from 1 to ${ACTIVITY_PAGE.max}` };
  if (limitText !== undefined) form.limit = String(limit);
  const cursor = text('cursor');
  return { filters, limit, ...(cursor ? { cursor } : {}), form };
}

/** A query string of the filters (and anything added), for links that keep them. */
export const queryOf = (form: Record<string, string>, extra: Record<string, string> = {}): string => new URLSearchParams({ ...form, ...extra }).toString();
