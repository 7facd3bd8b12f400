import { keepQueueStatisticsFresh } from '../infra/postgres/queue-statistics.js';
import { wireApprovals, type ApprovalOptions, type Approvals } from './approvals.js';
import type { Core } from './container.js';

/**
 * The approval loop for one process. With `processors` (worker or all role)
 * this process also runs the queue workers and the audit sealing sweep; the
 * API role only enqueues.
 */
export async function startApprovals(core: Core, opts: ApprovalOptions): Promise<Approvals> {
  if (opts.processors) core.sealer.startSweep();
  const schema = core.queues.postgresSchema;
  const stopStatistics = opts.processors && schema ? keepQueueStatisticsFresh(core.pool, schema, core.log) : () => undefined;
  const approvals = await wireApprovals(core, opts);
  return {
    ...approvals,
    close: async () => {
      stopStatistics();
      core.sealer.stop();
      await approvals.close();
    },
  };
}
