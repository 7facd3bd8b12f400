import type { ApprovalDispatcher } from '../ports/approval-dispatcher.js';
import type { Core } from './container.js';

export interface RunningWorker {
  dispatcher: ApprovalDispatcher;
  stop(): Promise<void>;
}

/**
 * The worker role: audit sealing sweep and (with processors) the approval
 * queues. With `processors: false` it only provides the dispatcher the API
 * uses to enqueue.
 */
export async function startWorker(core: Core, opts: { processors?: boolean } = {}): Promise<RunningWorker> {
  if (opts.processors !== false) core.sealer.startSweep();
  return {
    dispatcher: { actionQueued: async () => undefined },
    stop: async () => core.sealer.stop(),
  };
}
