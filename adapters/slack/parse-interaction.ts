import type { ReviewerIdentity } from '../../src/domain/action.js';
import { EDIT_VALUE_ACTION_ID, REASON_ACTION_ID, REASON_BLOCK_ID, editPathOf } from './card-ids.js';

/** What Slack tells us about who clicked, in any interaction payload. */
export interface SlackUserRef {
  user: { id: string; team_id?: string; name?: string; username?: string };
  team?: { id: string } | null;
}

export function reviewerFrom(body: SlackUserRef, email?: string): ReviewerIdentity | undefined {
  const teamId = body.user.team_id ?? body.team?.id;
  if (!teamId) return undefined;
  return { platform: 'slack', userId: body.user.id, teamId, email, name: body.user.name ?? body.user.username };
}

/** Carried through a modal as private_metadata: which action and argument version, and where to answer the clicker. */
export interface ModalMeta {
  actionId: string;
  argsVersion: number;
  channel?: string;
}

export const encodeMeta = (meta: ModalMeta) => JSON.stringify(meta);

export function decodeMeta(raw: string | undefined): ModalMeta | undefined {
  try {
    const v = JSON.parse(raw ?? '') as Partial<ModalMeta>;
    if (typeof v.actionId !== 'string') return undefined;
    // A modal opened before versions existed showed version 1.
    const argsVersion = typeof v.argsVersion === 'number' && Number.isInteger(v.argsVersion) ? v.argsVersion : 1;
    return { actionId: v.actionId, argsVersion, channel: typeof v.channel === 'string' ? v.channel : undefined };
  } catch {
    return undefined;
  }
}

type ViewValues = Record<string, Record<string, { value?: string | null }>>;

export const reasonFrom = (values: ViewValues): string | undefined => values[REASON_BLOCK_ID]?.[REASON_ACTION_ID]?.value ?? undefined;

/** Edited argument values; an input left empty keeps the current value and is omitted. */
export function editsFrom(values: ViewValues): Record<string, string> {
  const edits: Record<string, string> = {};
  for (const [blockId, inputs] of Object.entries(values)) {
    const path = editPathOf(blockId);
    const value = inputs[EDIT_VALUE_ACTION_ID]?.value;
    if (path && value !== undefined && value !== null && value !== '') edits[path] = value;
  }
  return edits;
}
