import type { Action } from '../../src/domain/action.js';
import type { ReviewCommand, ReviewResult } from '../../src/usecases/record-review.js';
import type { AdminActor, AdminReply } from '../../src/usecases/run-admin-command.js';

/**
 * What the Slack adapter needs from the core: use case entry points, wired
 * by main. Left out on purpose: any store, queue or policy access.
 */
export interface SlackPorts {
  recordReview(cmd: ReviewCommand): Promise<ReviewResult>;
  actionForEdit(teamId: string, actionId: string): Promise<{ action: Action; editable: string[] } | undefined>;
  adminCommand(actor: AdminActor, text: string): Promise<AdminReply>;
}
