import type { ReviewerIdentity } from '../../src/domain/action.js';
import { APPROVE_REASON_INPUT, DENY_REASON_INPUT, VERB_APPROVE, VERB_APPROVE_EDIT, VERB_DENY, VERB_REFRESH, editPathOf } from './card-ids.js';

/** The parts of a Bot Framework activity Airlock reads; everything is untrusted shape-wise. */
export interface InboundActivity {
  type?: unknown;
  name?: unknown;
  id?: unknown;
  text?: unknown;
  serviceUrl?: unknown;
  channelId?: unknown;
  replyToId?: unknown;
  from?: { id?: unknown; name?: unknown; aadObjectId?: unknown } | null;
  recipient?: { id?: unknown; name?: unknown } | null;
  conversation?: { id?: unknown; tenantId?: unknown } | null;
  channelData?: { tenant?: { id?: unknown } | null } | null;
  value?: unknown;
  entities?: unknown;
}

const str = (v: unknown, max = 1000): string | undefined => (typeof v === 'string' && v.length > 0 && v.length <= max ? v : undefined);

/** The activity's AAD tenant: `channelData.tenant.id`, which Teams sets on every activity. */
export const aadTenantOf = (a: InboundActivity): string | undefined => str(a.channelData?.tenant?.id, 100);

/** The reviewer is the AAD object id in the activity's AAD tenant; UPN/email when the member lookup gave one. */
export function reviewerFrom(a: InboundActivity, email?: string): ReviewerIdentity | undefined {
  const teamId = aadTenantOf(a);
  const userId = str(a.from?.aadObjectId, 100);
  if (!teamId || !userId) return undefined;
  return { platform: 'teams', userId, teamId, email, name: str(a.from?.name, 200) };
}

export type CardAction =
  | { verb: 'refresh'; actionId: string; round: number }
  | { verb: 'approve' | 'deny'; actionId: string; round: number; argsVersion: number; reason?: string; edits?: Record<string, string> };

/**
 * An `adaptiveCard/action` invoke from one of our cards. Input values arrive
 * merged into `action.data` beside the data the button carried. Undefined for
 * anything else (another card's verb, missing ids).
 */
export function parseCardAction(a: InboundActivity): CardAction | undefined {
  if (a.type !== 'invoke' || a.name !== 'adaptiveCard/action') return undefined;
  const action = (a.value as { action?: { type?: unknown; verb?: unknown; data?: unknown } } | undefined)?.action;
  if (!action || action.type !== 'Action.Execute') return undefined;
  const data = (action.data ?? {}) as Record<string, unknown>;
  const actionId = str(data.actionId, 100);
  const round = typeof data.round === 'number' && Number.isInteger(data.round) && data.round >= 0 ? data.round : undefined;
  if (!actionId || round === undefined) return undefined;
  // A card rendered before versions existed showed version 1.
  const argsVersion = typeof data.argsVersion === 'number' && Number.isInteger(data.argsVersion) && data.argsVersion > 0 ? data.argsVersion : 1;
  const text = (key: string) => (typeof data[key] === 'string' ? (data[key] as string) : undefined);
  switch (action.verb) {
    case VERB_REFRESH:
      return { verb: 'refresh', actionId, round };
    case VERB_APPROVE:
      return { verb: 'approve', actionId, round, argsVersion };
    case VERB_DENY:
      return { verb: 'deny', actionId, round, argsVersion, reason: text(DENY_REASON_INPUT) };
    case VERB_APPROVE_EDIT: {
      const edits: Record<string, string> = {};
      for (const [key, value] of Object.entries(data)) {
        const path = editPathOf(key);
        if (path && typeof value === 'string' && value !== '') edits[path] = value;
      }
      return { verb: 'approve', actionId, round, argsVersion, reason: text(APPROVE_REASON_INPUT), edits };
    }
    default:
      return undefined;
  }
}

/**
 * The command text of a message that mentions the bot (`@Airlock status`),
 * or undefined when the bot is not mentioned. The mention markup
 * (`<at>Airlock</at>`) is removed whatever the bot is called in that team.
 */
export function adminTextFrom(a: InboundActivity): string | undefined {
  if (a.type !== 'message' || typeof a.text !== 'string') return undefined;
  const botId = str(a.recipient?.id, 200);
  const mentions = Array.isArray(a.entities)
    ? (a.entities as { type?: unknown; mentioned?: { id?: unknown }; text?: unknown }[]).filter((e) => e?.type === 'mention' && e.mentioned?.id === botId && typeof e.text === 'string')
    : [];
  if (!botId || mentions.length === 0) return undefined;
  let text = a.text;
  for (const m of mentions) text = text.split(m.text as string).join(' ');
  return decodeEntities(text.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
}

/** Teams sends message text as HTML-ish; the few entities it uses for plain text. */
function decodeEntities(text: string): string {
  return text.replace(/&nbsp;/g, ' ').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}
