/**
 * Identifiers Slack echoes back in interaction payloads. The renderers set them
 * and the listeners match on them, so both sides import them from here.
 */

/** The actions block on a pending approval card. */
export const REVIEW_BLOCK_ID = 'airlock_review';
export const APPROVE_ACTION_ID = 'airlock_approve';
export const DENY_ACTION_ID = 'airlock_deny';
export const APPROVE_EDIT_ACTION_ID = 'airlock_approve_edit';
/** A link button: Slack still sends a block_actions payload for it, which must be acked and ignored. */
export const AUDIT_LINK_ACTION_ID = 'airlock_audit_link';

export const DENY_MODAL_CALLBACK_ID = 'airlock_deny_modal';
export const APPROVE_EDIT_MODAL_CALLBACK_ID = 'airlock_approve_edit_modal';

/** The reviewer's reason, in both modals. */
export const REASON_BLOCK_ID = 'reason';
export const REASON_ACTION_ID = 'reason_input';

/** One input block per editable argument path: block_id `edit:<path>`, action_id `value`. */
export const EDIT_BLOCK_PREFIX = 'edit:';
export const EDIT_VALUE_ACTION_ID = 'value';

/**
 * A card button's value: the action and the version of its arguments the card
 * shows (`<uuid>@<version>`), so an approval is bound to what was on screen.
 * A value without a version comes from a card posted before versions existed: version 1.
 */
export const reviewValue = (actionId: string, argsVersion: number): string => `${actionId}@${argsVersion}`;

export function parseReviewValue(value: string | undefined): { actionId: string; argsVersion: number } {
  const [actionId = '', version] = (value ?? '').split('@');
  const n = Number(version ?? '1');
  return { actionId, argsVersion: Number.isInteger(n) && n > 0 ? n : 0 };
}

/** Slack rejects a block_id longer than this. */
export const MAX_BLOCK_ID = 255;

export const editBlockId = (path: string): string => `${EDIT_BLOCK_PREFIX}${path}`;

/** The argument path an `edit:<path>` block stands for, or undefined for any other block. */
export const editPathOf = (blockId: string): string | undefined =>
  blockId.startsWith(EDIT_BLOCK_PREFIX) ? blockId.slice(EDIT_BLOCK_PREFIX.length) : undefined;
