/**
 * Why a reviewer's decision was refused, as the audit trail's
 * `refused_because` codes it. `workspace_not_connected` is never in a
 * tenant's trail (there is no tenant to write it to) but a click may be
 * answered with it.
 */
export const REVIEW_REFUSALS = [
  'workspace_not_connected',
  'unknown_action',
  'not_permitted_by_policy',
  'not_in_reviewer_group',
  'reviewer_is_requester',
  'deny_without_reason',
  'overridden_by_admin',
  'edits_on_deny',
  'invalid_edit',
  'already_approved',
  'args_changed',
  'already_decided',
] as const;

export type ReviewRefusal = (typeof REVIEW_REFUSALS)[number];

const WORDS: Record<ReviewRefusal, string> = {
  workspace_not_connected: 'the workspace belongs to no tenant',
  unknown_action: 'no such action in the tenant',
  not_permitted_by_policy: 'the policy no longer permits it',
  not_in_reviewer_group: 'not a member of the reviewer group',
  reviewer_is_requester: 'the reviewer is the requester',
  deny_without_reason: 'a deny needs a reason',
  overridden_by_admin: 'an admin override had ended it',
  edits_on_deny: 'changes come only with an approval',
  invalid_edit: 'the changes were refused',
  already_approved: 'the reviewer had already approved this version',
  args_changed: 'the arguments had changed since the reviewer looked',
  already_decided: 'it was already decided',
};

/**
 * A refusal's code in words, for a story of the action (`audit show`, the
 * console). The trail may hold a code this version does not know (written
 * by a newer one, or unreadable): it is shown as it is.
 */
export function refusalInWords(because: string): string {
  return Object.hasOwn(WORDS, because) ? WORDS[because as ReviewRefusal] : because;
}
