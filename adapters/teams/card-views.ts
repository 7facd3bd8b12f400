import type { ReviewerGroup } from '../../src/domain/policy-model.js';
import { REFRESH_MAX_USERS, type CardView } from './render-adaptive-card.js';

/**
 * A Teams user's MRI from their AAD object id: what `refresh.userIds` lists.
 * The policy names reviewers by AAD object id.
 */
export const userMri = (aadObjectId: string): string => `8:orgid:${aadObjectId}`;

/**
 * The refresh model: where the group lists its Teams users, the
 * card everyone sees is read-only and the listed users' clients ask the bot
 * for their own view, with buttons. Teams refreshes at most 60 listed users;
 * a larger (or unlisted) group gets the buttons on the shared card, and
 * recordReview refuses whoever is not a member.
 */
export function sharedView(group: ReviewerGroup): CardView {
  const users = group.chat.get('teams')?.users ?? [];
  if (users.length === 0 || users.length > REFRESH_MAX_USERS) return { buttons: true };
  return { buttons: false, refreshUserIds: users.map(userMri) };
}

/** The view of one user who asked (a refresh or a click): buttons for members of the group only. */
export function viewFor(group: ReviewerGroup, aadObjectId: string | undefined): CardView {
  const shared = sharedView(group);
  const member = aadObjectId !== undefined && (group.chat.get('teams')?.users ?? []).includes(aadObjectId);
  return { ...shared, buttons: shared.buttons || member };
}
