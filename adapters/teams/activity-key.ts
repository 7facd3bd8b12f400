import { createHash } from 'node:crypto';

/**
 * What identifies one Bot Framework activity: its id within its
 * conversation (Teams message ids are timestamps, unique only per
 * conversation). Undefined when either is missing: such an activity cannot
 * be told apart from a replay, so it is not handled.
 */
export function activityKey(activity: Record<string, unknown>): Buffer | undefined {
  const conversation = activity.conversation as { id?: unknown } | undefined;
  const id = activity.id;
  const conversationId = conversation?.id;
  if (typeof id !== 'string' || id.length === 0 || typeof conversationId !== 'string' || conversationId.length === 0) return undefined;
  return createHash('sha256').update(JSON.stringify(['msteams', conversationId, id])).digest();
}
