import type { Action } from '../domain/action.js';
import type { ActionStatus } from '../domain/action-status.js';
import type { Decision } from '../domain/decision.js';
import type { ListCursors } from '../domain/list-cursor.js';
import type { ActionStore } from '../ports/action-store.js';

export interface TenantActionFilters {
  agent?: string;
  tool?: string;
  decision?: Decision;
  status?: ActionStatus;
  /** Created at or after. */
  since?: Date;
  /** Created before. */
  until?: Date;
}

/** A page of the listing, or `bad_cursor` when the cursor was not issued for this tenant and these filters. */
export type TenantActionPage = { kind: 'page'; actions: Action[]; nextCursor: string | null } | { kind: 'bad_cursor' };

/**
 * One tenant's actions, every agent's, newest first, a page at a time: what
 * the console's auditors read. Like the agents' own listing, paging resumes
 * strictly after the last action returned (no repeat, no skip), and a cursor
 * is signed together with the tenant and filters it belongs to.
 */
export function makeListTenantActions(deps: { store: Pick<ActionStore, 'listTenant'>; cursors: ListCursors }) {
  return async function listTenantActions(tenant: string, filters: TenantActionFilters, page: { limit: number; cursor?: string }): Promise<TenantActionPage> {
    const limit = Math.max(1, Math.floor(page.limit));
    const scope = {
      listing: 'tenant-actions',
      tenant,
      agent: filters.agent ?? null,
      tool: filters.tool ?? null,
      decision: filters.decision ?? null,
      status: filters.status ?? null,
      since: filters.since?.toISOString() ?? null,
      until: filters.until?.toISOString() ?? null,
    };
    const before = page.cursor === undefined ? undefined : deps.cursors.read(scope, page.cursor);
    if (page.cursor !== undefined && !before) return { kind: 'bad_cursor' };
    // One more than the page: whether it exists says if there is a next page.
    const rows = await deps.store.listTenant({ tenant, ...filters, before, limit: limit + 1 });
    const shown = rows.slice(0, limit);
    const last = shown.at(-1);
    return { kind: 'page', actions: shown.map((r) => r.action), nextCursor: rows.length > limit && last ? deps.cursors.issue(scope, last.position) : null };
  };
}
