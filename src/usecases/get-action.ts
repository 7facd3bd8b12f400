import type { Action } from '../domain/action.js';
import { notFound } from '../domain/errors.js';
import type { ActionEvents } from '../ports/action-events.js';
import type { ActionStore } from '../ports/action-store.js';
import type { AgentIdentity } from '../ports/agent-store.js';
import type { Clock } from '../ports/clock.js';

export const MAX_WAIT_SECONDS = 60;

/** An action of the agent that submitted it; any other agent, even of the same tenant, is told it does not exist. */
export async function ownAction(store: ActionStore, agent: AgentIdentity, id: string): Promise<Action | undefined> {
  const action = await store.get(agent.tenant, id);
  return action && action.agent === agent.name ? action : undefined;
}

/**
 * Reads an action the calling agent submitted; with `waitSeconds`, holds
 * until it leaves `pending` or the time passes. Woken by the store's change
 * events; always re-reads after waking, so a lost notification costs latency only.
 */
export function makeGetAction(deps: { store: ActionStore; events: ActionEvents; clock: Clock }) {
  return async function getAction(agent: AgentIdentity, id: string, waitSeconds = 0, signal?: AbortSignal): Promise<Action> {
    const deadline = deps.clock.now().getTime() + Math.min(waitSeconds, MAX_WAIT_SECONDS) * 1000;
    for (;;) {
      // Register before reading, so a change between the read and the wait still wakes us.
      const remaining = deadline - deps.clock.now().getTime();
      const ac = new AbortController();
      const onAbort = () => ac.abort();
      signal?.addEventListener('abort', onAbort, { once: true });
      const woke = remaining > 0 ? deps.events.waitForChange(id, remaining, ac.signal) : undefined;
      try {
        const action = await ownAction(deps.store, agent, id);
        if (!action) throw notFound('action');
        if (action.status !== 'pending' || !woke || signal?.aborted) return action;
        await woke;
        if (deps.clock.now().getTime() >= deadline || signal?.aborted) {
          return (await ownAction(deps.store, agent, id)) ?? action;
        }
      } finally {
        ac.abort();
        signal?.removeEventListener('abort', onAbort);
      }
    }
  };
}
