import type { ApprovalMetrics } from '../ports/approval-metrics.js';
import type { HandedOffCount, MetricHandoff } from '../ports/metric-handoff.js';

/** Counts taken over at once; a backlog is taken a batch at a time. */
const TAKE_BATCH = 500;

/**
 * The approval metrics of a process nobody scrapes (the CLI): its reviews and
 * the time to decision of those that decided are kept, to be left for the
 * worker with `leave` before the process exits. It posts no card and
 * delivers no callback itself (it enqueues them), so it has none to count.
 */
export function countsToHandOver(): { metrics: ApprovalMetrics; leave(handoff: MetricHandoff): Promise<void> } {
  const counts: HandedOffCount[] = [];
  return {
    metrics: {
      review: (tenant, group, outcome) => void counts.push({ kind: 'review', tenant, group, outcome }),
      decided: (tenant, group, seconds) => void counts.push({ kind: 'decided', tenant, group, seconds }),
      cardPost: () => undefined,
      cardUpdate: () => undefined,
      callback: () => undefined,
    },
    async leave(handoff) {
      if (counts.length > 0) await handoff.leave(counts.splice(0));
    },
  };
}

/**
 * Takes over the counts processes nobody scrapes left, into this process's
 * metrics, as if it had made them: so an operator's review from a shell is
 * in `airlock_reviews_total` and the time to decision like a click. Returns
 * how many it took.
 */
export function makeTakeOverCounts(deps: { handoff: MetricHandoff; metrics: ApprovalMetrics }) {
  return async function takeOverCounts(): Promise<number> {
    let taken = 0;
    for (;;) {
      const counts = await deps.handoff.take(TAKE_BATCH);
      for (const c of counts) {
        if (c.kind === 'review') deps.metrics.review(c.tenant, c.group, c.outcome);
        else deps.metrics.decided(c.tenant, c.group, c.seconds);
      }
      taken += counts.length;
      if (counts.length < TAKE_BATCH) return taken;
    }
  };
}
