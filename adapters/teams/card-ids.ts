/**
 * Identifiers an Adaptive Card sends back in an `adaptiveCard/action` invoke.
 * The renderer sets them and the bot matches on them, so both import them from here.
 */

export const VERB_APPROVE = 'airlock.approve';
export const VERB_DENY = 'airlock.deny';
export const VERB_APPROVE_EDIT = 'airlock.approve_edit';
/** The refresh action: Teams invokes it when a listed user views the card, to show them their own view. */
export const VERB_REFRESH = 'airlock.refresh';

/** Input ids: ids must be unique in the whole card, so the two reasons differ. */
export const DENY_REASON_INPUT = 'airlock.denyReason';
export const APPROVE_REASON_INPUT = 'airlock.approveReason';
/** One Input.Text per editable argument path: id `edit:<path>`. */
export const EDIT_INPUT_PREFIX = 'edit:';

export const editInputId = (path: string): string => `${EDIT_INPUT_PREFIX}${path}`;

export const editPathOf = (inputId: string): string | undefined =>
  inputId.startsWith(EDIT_INPUT_PREFIX) ? inputId.slice(EDIT_INPUT_PREFIX.length) : undefined;

/**
 * `data` of every Action.Execute on a card: which action, round and argument
 * version it was rendered for. An approval counts only for the version shown.
 */
export interface CardActionData {
  actionId: string;
  round: number;
  argsVersion: number;
}
