import type { ActionStore } from '../ports/action-store.js';

/** Candidates named when a prefix is ambiguous: enough to pick from, never a dump of the tenant. */
const CANDIDATES = 5;

export type ActionIdMatch =
  | { kind: 'one'; id: string }
  | { kind: 'none' }
  | { kind: 'ambiguous'; candidates: string[]; more: boolean };

/**
 * An action named by its id or a prefix of it, as `review list` prints it.
 * Only the tenant's own actions are searched, so a prefix never reveals that
 * another tenant has an action there; a prefix that fits several is refused
 * with the candidates rather than guessed.
 */
export function makeResolveActionId(deps: { actions: Pick<ActionStore, 'idsStartingWith'> }) {
  return async function resolveActionId(tenant: string, idOrPrefix: string): Promise<ActionIdMatch> {
    const ids = await deps.actions.idsStartingWith(tenant, idOrPrefix, CANDIDATES + 1);
    if (ids.length === 0) return { kind: 'none' };
    if (ids.length === 1) return { kind: 'one', id: ids[0]! };
    return { kind: 'ambiguous', candidates: ids.slice(0, CANDIDATES), more: ids.length > CANDIDATES };
  };
}
