import type { Action } from '../domain/action.js';
import type { ActionStatus } from '../domain/action-status.js';
import { AirlockError } from '../domain/errors.js';
import type { ListCursors } from '../domain/list-cursor.js';
import type { ActionStore } from '../ports/action-store.js';
import type { AgentIdentity } from '../ports/agent-store.js';

/** Actions per page: `limit` defaults to the first and may not exceed the second. */
export const LIST_PAGE_SIZE = { default: 50, max: 200 } as const;

export interface ActionListFilters {
  status?: ActionStatus;
  tool?: string;
  /** Created at or after. */
  since?: Date;
  /** Created before. */
  until?: Date;
}

export interface ActionListPage {
  actions: Action[];
  /** Passed back with the same filters, the next page; null after the last. */
  nextCursor: string | null;
}

/**
 * The calling agent's own actions, newest first, a page at a time. Paging
 * resumes strictly after the last action returned, so pages never repeat or
 * skip an action, and actions submitted meanwhile (newer than the first page)
 * wait for a fresh listing. A cursor belongs to the agent and filters it was
 * issued with; any other is refused with a 400.
 */
export function makeListActions(deps: { store: Pick<ActionStore, 'listOwn'>; cursors: ListCursors }) {
  return async function listActions(agent: AgentIdentity, filters: ActionListFilters, page: { limit?: number; cursor?: string } = {}): Promise<ActionListPage> {
    const limit = Math.min(LIST_PAGE_SIZE.max, Math.max(1, Math.floor(page.limit ?? LIST_PAGE_SIZE.default)));
    const scope = {
      tenant: agent.tenant,
      agent: agent.name,
      status: filters.status ?? null,
      tool: filters.tool ?? null,
      since: filters.since?.toISOString() ?? null,
      until: filters.until?.toISOString() ?? null,
    };
    const before = page.cursor === undefined ? undefined : deps.cursors.read(scope, page.cursor);
    if (page.cursor !== undefined && !before) {
      throw new AirlockError('validation_failed', 'request querystring is invalid', {
        details: [
          {
            path: 'querystring.cursor',
            message: 'not a cursor of this listing: pass next_cursor exactly as returned, with the same status, tool, since and until (or no cursor, to start from the newest)',
          },
        ],
      });
    }
    // One more than the page: whether it exists says if there is a next page.
    const rows = await deps.store.listOwn({ tenant: agent.tenant, agent: agent.name, ...filters, before, limit: limit + 1 });
    const shown = rows.slice(0, limit);
    const last = shown.at(-1);
    return { actions: shown.map((r) => r.action), nextCursor: rows.length > limit && last ? deps.cursors.issue(scope, last.position) : null };
  };
}
