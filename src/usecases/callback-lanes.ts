/** How many callbacks may be in flight at once in this process, per agent and per tenant. */
export interface CallbackLaneCaps {
  perAgent: number;
  perTenant: number;
}

export type LaneEntry = { release: () => void } | { retryAfterMs: number };

/** Shortest and longest wait before a callback whose lane is full is tried again. */
const MIN_WAIT_MS = 50;
const MAX_WAIT_MS = 2_000;

/**
 * Per-process lanes for callback deliveries: an agent (and a tenant) may
 * hold only its share of the delivery slots, so a receiver that never
 * answers stalls its own callbacks, not everyone's. A delivery that finds
 * its lane full waits about as long as the lane's oldest delivery has been
 * running: a busy but fast receiver is tried again within tens of
 * milliseconds, a stuck one every couple of seconds without hammering the queue.
 * Process memory is right here: a lane counts this process's own open
 * connections, and a restart closes them all.
 */
export function makeCallbackLanes(caps: CallbackLaneCaps, nowMs: () => number) {
  const agents = new Map<string, Set<number>>();
  const tenants = new Map<string, Set<number>>();
  let seq = 0;
  const started = new Map<number, number>();

  const waitFor = (lane: Set<number>) => {
    const oldest = Math.min(...[...lane].map((id) => started.get(id) ?? nowMs()));
    const base = Math.min(MAX_WAIT_MS, Math.max(MIN_WAIT_MS, nowMs() - oldest));
    // Spread the retries of a flood so they do not come back in one burst.
    return Math.round(base * (1 + Math.random() / 2));
  };

  const join = (map: Map<string, Set<number>>, key: string, id: number) => {
    const lane = map.get(key) ?? new Set<number>();
    lane.add(id);
    map.set(key, lane);
    return () => {
      lane.delete(id);
      if (lane.size === 0) map.delete(key);
    };
  };

  return {
    enter(tenant: string, agent: string): LaneEntry {
      const agentKey = `${tenant}\u0000${agent}`;
      const agentLane = agents.get(agentKey);
      if (agentLane && agentLane.size >= caps.perAgent) return { retryAfterMs: waitFor(agentLane) };
      const tenantLane = tenants.get(tenant);
      if (tenantLane && tenantLane.size >= caps.perTenant) return { retryAfterMs: waitFor(tenantLane) };
      const id = ++seq;
      started.set(id, nowMs());
      const leaveAgent = join(agents, agentKey, id);
      const leaveTenant = join(tenants, tenant, id);
      let released = false;
      return {
        release: () => {
          if (released) return;
          released = true;
          started.delete(id);
          leaveAgent();
          leaveTenant();
        },
      };
    },
  };
}
