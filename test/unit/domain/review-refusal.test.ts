import { describe, expect, it } from 'vitest';
import { REVIEW_REFUSALS, refusalInWords, type ReviewRefusal } from '../../../src/domain/review-refusal.js';

const WORDED: Record<ReviewRefusal, string> = {
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

describe('a refused review in words', () => {
  it('covers every refusal a review can be answered with', () => {
    expect(Object.keys(WORDED).sort()).toEqual([...REVIEW_REFUSALS].sort());
  });

  it.each(REVIEW_REFUSALS.map((code) => [code, WORDED[code]]))('words %s as "%s"', (code, words) => {
    expect(refusalInWords(code)).toBe(words);
  });

  it('shows a code it does not know as it is', () => {
    expect(refusalInWords('quorum_changed_by_newer_version')).toBe('quorum_changed_by_newer_version');
    expect(refusalInWords('?')).toBe('?');
  });

  it('does not take an inherited property for a code', () => {
    expect(refusalInWords('constructor')).toBe('constructor');
    expect(refusalInWords('toString')).toBe('toString');
  });
});
