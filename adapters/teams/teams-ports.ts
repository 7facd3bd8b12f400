import type { ReviewCommand, ReviewResult } from '../../src/usecases/record-review.js';
import type { AdminActor, AdminReply } from '../../src/usecases/run-admin-command.js';
import type { CardContent } from '../../src/ports/chat-platform.js';

/**
 * What the Teams adapter needs from the core: use case entry points and two
 * read/record hooks, wired by main. Left out on purpose: any store, queue or
 * policy access, and any decision about who may review (recordReview's).
 * Unlike Slack there is no `actionForEdit`: the "Approve with changes" form is
 * part of the card itself, rendered from `cardFor`.
 */
export interface TeamsPorts {
  recordReview(cmd: ReviewCommand): Promise<ReviewResult>;
  adminCommand(actor: AdminActor, text: string): Promise<AdminReply>;
  /**
   * The card as it stands for this action and card round, in the Airlock
   * tenant this AAD tenant belongs to; undefined for an unknown tenant or
   * action (the clicker then gets a refusal, never another tenant's card).
   */
  cardFor(aadTenantId: string, actionId: string, round: number): Promise<CardContent | undefined>;
  /** An authenticated activity from this AAD tenant came through `serviceUrl`, an https URL (keep the newest). */
  serviceUrlSeen(aadTenantId: string, serviceUrl: string): Promise<void>;
}
