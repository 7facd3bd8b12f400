import { keepActionCountsFolded } from '../infra/postgres/action-counts.js';
import { keepQueueStatisticsFresh } from '../infra/postgres/queue-statistics.js';
import { wireApprovals, type ApprovalOptions, type Approvals } from './approvals.js';
import { startAuditSink } from './audit-sink.js';
import type { Core } from './container.js';

/**
 * The approval loop for one process. With `processors` (worker or all role)
 * this process also runs the queue workers, the audit sealing sweep, the
 * fold of the hourly action counts and the audit sink (AUDIT_SINK_URL); the
 * API role only enqueues.
 */
export async function startApprovals(core: Core, opts: ApprovalOptions): Promise<Approvals> {
  if (opts.processors) core.sealer.startSweep();
  const schema = core.queues.postgresSchema;
  const stopStatistics = opts.processors && schema ? keepQueueStatisticsFresh(core.pool, schema, core.log) : () => undefined;
  const stopFolding = opts.processors ? keepActionCountsFolded(core.pool, core.log) : () => undefined;
  const approvals = await wireApprovals(core, opts);
  const stopAuditSink = opts.processors ? await startAuditSink(core) : async () => undefined;
  return {
    ...approvals,
    close: async () => {
      await stopAuditSink();
      stopStatistics();
      stopFolding();
      core.sealer.stop();
      await approvals.close();
    },
  };
}
