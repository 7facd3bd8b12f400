import type { ActionStore } from '../ports/action-store.js';
import type { ActionJobRef, CardJobRef } from '../ports/approval-jobs.js';
import type { Clock } from '../ports/clock.js';
import { CARD_RECHECK_MS } from './card-timing.js';
import type { EndCause } from './expire-action.js';

/**
 * A callback job retries for about 9 minutes (10 attempts, exponential from
 * 1 s); one still unsettled well after that was lost with its job.
 */
export const CALLBACK_GRACE_MS = 15 * 60_000;
const BATCH = 200;

/** What one tick found to repair; `failed` items are retried on the next tick. */
export interface ReconcileTick {
  cards: number;
  expired: number;
  reminded: number;
  callbacks: number;
  /** Audit events written for approvals an admin change ended (owed since a crash or failure). */
  auditEvents: number;
  failed: number;
}

/**
 * Postgres is the source of truth; this repairs everything the queue may have
 * lost (Redis flushed, job lost or out of attempts, worker killed): re-enqueues
 * cards still owed, expires what is overdue, sends due reminders,
 * re-enqueues callbacks that never settled and writes the audit events an
 * admin change still owes (its follow-up was cut off). Each step reads only rows that
 * need work, so an idle tick costs the same at 0 or 100,000 pending approvals.
 */
export function makeReconcile(deps: {
  actions: ActionStore;
  clock: Clock;
  repostCard: (ref: CardJobRef) => Promise<void>;
  expire: (ref: ActionJobRef, cause: EndCause) => Promise<unknown>;
  remind: (ref: ActionJobRef) => Promise<unknown>;
  /** Enqueues a callback job (a no-op while its job still exists). */
  deliverCallback: (ref: Omit<ActionJobRef, 'round'>, status: string) => Promise<unknown>;
  /** Writes the audit events admin changes still owe; returns how many. */
  writeOwedAudit: () => Promise<number>;
  callbackGraceMs?: number;
}) {
  return async function reconcile(): Promise<ReconcileTick> {
    const now = deps.clock.now();
    const owing = await deps.actions.cardsDue(now, CARD_RECHECK_MS, BATCH);
    const cards = owing.flatMap((a) => a.platforms.map((platform) => ({ tenant: a.tenant, actionId: a.actionId, round: a.round, platform })));
    // Enqueued concurrently: one tick's re-enqueues do not wait on each other.
    const failedCards = new Map<string, { tenant: string; actionId: string }>();
    await Promise.all(cards.map((ref) => deps.repostCard(ref).catch(() => void failedCards.set(`${ref.tenant}/${ref.actionId}`, ref))));
    // A card that could not even be enqueued is due again on the next tick, not a recheck later.
    if (failedCards.size > 0) await deps.actions.cardsDueAgain([...failedCards.values()], now);
    // Each item on its own: one that fails (and is retried next tick) holds up none behind it.
    let failed = failedCards.size;
    const each = async <T>(items: T[], work: (item: T) => Promise<unknown>) => {
      for (const item of items) await work(item).catch(() => void failed++);
    };
    const overdue = await deps.actions.overdue(now, BATCH);
    await each(overdue, (ref) => deps.expire(ref, { kind: 'timeout' }));
    const due = await deps.actions.dueReminders(now, BATCH);
    await each(due, (ref) => deps.remind(ref));
    const lost = await deps.actions.unsettledCallbacks(now, deps.callbackGraceMs ?? CALLBACK_GRACE_MS, BATCH);
    await Promise.all(lost.map((c) => deps.deliverCallback({ tenant: c.tenant, actionId: c.actionId }, c.status).catch(() => void failed++)));
    const auditEvents = await deps.writeOwedAudit().catch(() => {
      failed++;
      return 0;
    });
    return { cards: cards.length, expired: overdue.length, reminded: due.length, callbacks: lost.length, auditEvents, failed };
  };
}
