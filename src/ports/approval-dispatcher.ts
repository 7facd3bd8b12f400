import type { Action } from '../domain/action.js';

/**
 * Hands a freshly recorded pending action to the approval machinery (card
 * posting, timeout). Called after the action is committed; a failure here
 * loses nothing because the reconciler re-dispatches pending actions without
 * a card. Left out: any notion of which chat platform is used.
 */
export interface ApprovalDispatcher {
  actionQueued(action: Action): Promise<void>;
}
