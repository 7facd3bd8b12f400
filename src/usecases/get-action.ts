import type { Action } from '../domain/action.js';
import { notFound } from '../domain/errors.js';
import type { ActionEvents } from '../ports/action-events.js';
import type { ActionStore } from '../ports/action-store.js';
import type { AgentIdentity } from '../ports/agent-store.js';
import { ActionWatches } from './watch-action.js';

export const MAX_WAIT_SECONDS = 60;

/** An action of the agent that submitted it; any other agent, even of the same tenant, is told it does not exist. */
export async function ownAction(store: ActionStore, agent: AgentIdentity, id: string): Promise<Action | undefined> {
  const action = await store.get(agent.tenant, id);
  return action && action.agent === agent.name ? action : undefined;
}

/**
 * Reads an action the calling agent submitted; with `waitSeconds`, holds
 * until it leaves `pending` or the time passes (or `signal` aborts: then it
 * answers at once with the action as last read). Waiters of one action share
 * their reads (ActionWatches): one read per change, however many wait.
 */
export function makeGetAction(deps: { store: ActionStore; events: ActionEvents }) {
  const watches = new ActionWatches(deps);
  return async function getAction(agent: AgentIdentity, id: string, waitSeconds = 0, signal?: AbortSignal): Promise<Action> {
    const waitMs = Math.min(waitSeconds, MAX_WAIT_SECONDS) * 1000;
    const action = waitMs > 0 ? await watches.wait(agent.tenant, agent.name, id, waitMs, signal) : await ownAction(deps.store, agent, id);
    if (!action) throw notFound('action');
    return action;
  };
}
