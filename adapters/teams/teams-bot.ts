import type { TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import type { CardContent } from '../../src/ports/chat-platform.js';
import type { BotFramework } from './bot-framework.js';
import { ADAPTIVE_CARD_CONTENT_TYPE, cardActivity, cardFor } from './card-activity.js';
import { sharedView, viewFor } from './card-views.js';
import type { MemberEmails } from './member-emails.js';
import { aadTenantOf, adminTextFrom, parseCardAction, reviewerFrom, type InboundActivity } from './parse-activity.js';
import { toPlainText } from '../../src/domain/message.js';
import { plain } from './adaptive-text.js';
import { renderMessage } from './render-message.js';
import type { TeamsPorts } from './teams-ports.js';

/** What an `adaptiveCard/action` invoke is answered with. */
export type CardActionResponse =
  | { statusCode: 200; type: 'application/vnd.microsoft.card.adaptive'; value: unknown }
  | { statusCode: 200; type: 'application/vnd.microsoft.activity.message'; value: string };

const message = (text: string): CardActionResponse => ({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: text });

/**
 * One turn of an authenticated activity: transport only (STYLE.md rule 1).
 * A card click is parsed into the same review command the Slack adapter
 * produces and handed to recordReview; a message mentioning the bot goes to
 * the admin command use case. Everything else is ignored.
 */
export function makeTeamsBot(deps: { ports: TeamsPorts; bot: BotFramework; emails: MemberEmails; auditUrl?: (actionId: string) => string; log: Logger }) {
  const { ports, log } = deps;

  async function onTurn(context: TurnContext): Promise<void> {
    const activity = context.activity as InboundActivity;
    const tenant = aadTenantOf(activity);
    if (tenant && typeof activity.serviceUrl === 'string') {
      await ports.serviceUrlSeen(tenant, activity.serviceUrl).catch((err) => log.warn({ err: (err as Error).message }, 'could not record the Teams service URL'));
    }
    if (activity.type === 'invoke') {
      const body = activity.name === 'adaptiveCard/action' ? await onCardAction(context, activity) : undefined;
      // Bot Framework expects an invoke response; an invoke we do not handle gets 200 and nothing else.
      await context.sendActivity({ type: 'invokeResponse', value: { status: 200, body } });
      return;
    }
    const text = adminTextFrom(activity);
    if (text !== undefined) await onAdminCommand(context, activity, text);
  }

  async function onCardAction(context: TurnContext, activity: InboundActivity): Promise<CardActionResponse> {
    const parsed = parseCardAction(activity);
    if (!parsed) return message('Airlock does not know this card action.');
    const tenant = aadTenantOf(activity);
    if (!tenant) return message('Airlock could not tell which Microsoft 365 tenant this click came from.');
    const aadObjectId = typeof activity.from?.aadObjectId === 'string' ? activity.from.aadObjectId : undefined;

    if (parsed.verb === 'refresh') {
      const content = await ports.cardFor(tenant, parsed.actionId, parsed.round);
      if (!content) return message('This action does not exist in your tenant.');
      return cardResponse(content, viewFor(content.group, aadObjectId));
    }

    const email = await deps.emails.of(context, activity);
    const reviewer = reviewerFrom(activity, email);
    if (!reviewer) return message('Airlock could not tell who clicked (no Azure AD identity on the activity).');
    let result;
    try {
      result = await ports.recordReview({ reviewer, actionId: parsed.actionId, argsVersion: parsed.argsVersion, decision: parsed.verb, reason: parsed.reason, edits: parsed.edits });
    } catch (err) {
      // Postgres is down: the click was not recorded, and the reviewer must know.
      log.error({ err: (err as Error).message, action: parsed.actionId }, 'a review could not be recorded');
      return message('Airlock could not record your decision right now (its database is unreachable). Nothing was decided; please try again in a minute.');
    }
    if (result.kind !== 'accepted') return message(plain(toPlainText(result.message), 2000));

    const content = await ports.cardFor(tenant, parsed.actionId, parsed.round);
    if (!content) return message('Your review was recorded.');
    // Everyone else sees the change at once; the core's card update job does the same for every platform's card.
    if (typeof activity.replyToId === 'string') await updateShared(context, activity.replyToId, content);
    return cardResponse(content, viewFor(content.group, aadObjectId));
  }

  function cardResponse(content: CardContent, view: ReturnType<typeof viewFor>): CardActionResponse {
    return { statusCode: 200, type: ADAPTIVE_CARD_CONTENT_TYPE, value: cardFor(content, view, deps.auditUrl?.(content.action.id)) };
  }

  async function updateShared(context: TurnContext, activityId: string, content: CardContent) {
    try {
      await context.updateActivity({ ...cardActivity(content, sharedView(content.group), deps.auditUrl?.(content.action.id)), id: activityId });
    } catch (err) {
      log.warn({ action: content.action.id, err: (err as Error).message }, 'could not update the Teams card after a click; the card update job retries');
    }
  }

  async function onAdminCommand(context: TurnContext, activity: InboundActivity, text: string) {
    const tenant = aadTenantOf(activity);
    const userId = typeof activity.from?.aadObjectId === 'string' ? activity.from.aadObjectId : undefined;
    let reply: string;
    let format: 'plain' | 'markdown' = 'plain';
    if (/^ids$/i.test(text)) {
      // Anyone may ask: these are the caller's own ids, needed to write the policy before anyone is an admin.
      const conversation = typeof activity.conversation?.id === 'string' ? activity.conversation.id.split(';')[0] : 'unknown';
      reply = [`Conversation id: ${conversation}`, `AAD tenant id: ${tenant ?? 'unknown'}`, `Your AAD object id: ${userId ?? 'unknown'}`].join('\n\n');
    } else if (!tenant || !userId) {
      reply = 'Airlock could not tell who sent this command (no Azure AD identity on the activity).';
    } else {
      const email = await deps.emails.of(context, activity);
      try {
        reply = renderMessage((await ports.adminCommand({ kind: 'chat', platform: 'teams', userId, teamId: tenant, email }, text)).message);
        format = 'markdown';
      } catch (err) {
        log.error({ err: (err as Error).message }, '@Airlock could not be carried out');
        reply = 'Airlock could not carry out the command (its database is unreachable). Nothing changed; try again in a minute.';
      }
    }
    // A reply in the same conversation (botbuilder sets replyToId to the command's activity).
    await context.sendActivity({ type: 'message', textFormat: format, text: reply.slice(0, 20_000) });
  }

  return { onTurn };
}
