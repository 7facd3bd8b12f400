/**
 * Wakes in-process waiters (`GET /v1/actions/:id?wait=N`) when an action
 * changes status in any process. Left out: delivery guarantees — a waiter
 * always re-reads the store after waking or timing out, so a missed wake-up
 * only costs latency, never correctness.
 */
export interface ActionEvents {
  waitForChange(actionId: string, timeoutMs: number, signal?: AbortSignal): Promise<void>;
}
