import type { ApprovalGround } from '../domain/policy-withdrawal.js';
import type { EndedActions } from './overrides-store.js';

/** Pending approvals standing on `ground` end denied, with this rule and detail. */
export interface WithdrawnGround {
  ground: ApprovalGround;
  rule: string;
  detail: string;
}

/**
 * Ends pending approvals a reloaded policy no longer permits. Which grounds
 * are withdrawn is the domain's call; this store lists the grounds pending
 * approvals stand on and ends those named, set-based. Left out: judging the
 * policy, and the follow-ups (cards, callbacks) the caller enqueues.
 */
export interface WithdrawnApprovals {
  /** The distinct grounds of every pending approval, of every tenant: a few per agent, tool and environment, however many approvals wait. */
  pendingGrounds(): Promise<ApprovalGround[]>;
  /**
   * Denies every pending approval of the tenant that stands on one of
   * `withdrawn`, in one statement and one transaction, wakes their waiters,
   * and records their audit events as owed (written by
   * OverridesStore.writeOwedAudit, as for an admin change).
   */
  end(
    tenant: string,
    withdrawn: readonly WithdrawnGround[],
    spec: { policyVersion: string; at: Date; newest: number; audit: { admin: Record<string, unknown>; cause: string; reason: string | null } },
  ): Promise<EndedActions>;
}
