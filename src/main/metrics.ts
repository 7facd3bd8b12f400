import { dueForReview } from '../domain/review-dates.js';
import { createMetrics, type Metrics } from '../http/metrics.js';
import { PgAuditSinkLag } from '../infra/postgres/audit-sink-lag.js';
import { PgOpenApprovals } from '../infra/postgres/open-approvals.js';
import type { Core } from './container.js';

/**
 * The one registry of a server process, shared by what it runs: the API
 * counts intake, the approval loop counts reviews, cards and callbacks, and
 * whichever endpoint the role serves (the API, or a worker's own) exposes
 * them all. What must agree across processes is read at scrape instead.
 */
export function createProcessMetrics(core: Core): Metrics {
  const open = new PgOpenApprovals(core.pool);
  const sinkLag = core.env.AUDIT_SINK_URL ? new PgAuditSinkLag(core.pool) : undefined;
  return createMetrics({
    policy: () => core.policy.current(),
    overdueControls: () => dueForReview(core.policy.current(), core.clock.now()).filter((r) => r.status === 'overdue').length,
    openApprovals: () => open.read(),
    policyFileRefused: () => core.policy.refused(),
    ...(sinkLag ? { auditSinkLag: () => sinkLag.read() } : {}),
  });
}
