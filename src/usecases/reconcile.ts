import type { ActionStore } from '../ports/action-store.js';
import type { ActionJobRef } from '../ports/approval-jobs.js';
import type { Clock } from '../ports/clock.js';
import { CARD_CLAIM_STALE_MS } from './post-card.js';
import type { EndCause } from './expire-action.js';

/** Pending actions younger than this are still in their normal dispatch path. */
const CARD_GRACE_MS = 2_000;
const BATCH = 200;

/**
 * Postgres is the source of truth; this repairs everything the queue may have
 * lost (Redis flushed, job lost, worker killed): re-enqueues cards that were
 * never posted, expires what is overdue and sends due reminders.
 */
export function makeReconcile(deps: {
  actions: ActionStore;
  clock: Clock;
  /** Enqueues a card job; absent when no chat platform is configured. */
  postCard?: (ref: ActionJobRef) => Promise<void>;
  expire: (ref: ActionJobRef, cause: EndCause) => Promise<unknown>;
  remind: (ref: ActionJobRef) => Promise<unknown>;
}) {
  return async function reconcile(): Promise<{ cards: number; expired: number; reminded: number }> {
    const now = deps.clock.now();
    const missing = deps.postCard ? await deps.actions.pendingWithoutCard(now, CARD_GRACE_MS, CARD_CLAIM_STALE_MS, BATCH) : [];
    // Enqueued concurrently: one tick's re-enqueues do not wait on each other.
    await Promise.all(missing.map((ref) => deps.postCard!(ref)));
    const overdue = await deps.actions.overdue(now, BATCH);
    for (const ref of overdue) await deps.expire(ref, { kind: 'timeout' });
    const due = await deps.actions.dueReminders(now, BATCH);
    for (const ref of due) await deps.remind(ref);
    return { cards: missing.length, expired: overdue.length, reminded: due.length };
  };
}
