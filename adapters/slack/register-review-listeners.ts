import type { App, BlockAction, ButtonAction, Context, ViewSubmitAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { SlackPorts } from './slack-ports.js';
import { APPROVE_ACTION_ID, APPROVE_EDIT_ACTION_ID, APPROVE_EDIT_MODAL_CALLBACK_ID, AUDIT_LINK_ACTION_ID, DENY_ACTION_ID, DENY_MODAL_CALLBACK_ID, parseReviewValue } from './card-ids.js';
import { decodeMeta, editsFrom, encodeMeta, reasonFrom, reviewerFrom } from './parse-interaction.js';
import { renderMessage } from './render-message.js';
import { renderApproveEditModal, renderDenyModal } from './render-modals.js';

/**
 * Buttons and modals of approval cards. Each listener acks first (Slack
 * allows 3 s), then parses the payload into a review command and hands it to
 * the use case; refusals come back as an ephemeral message to the clicker,
 * sent with the client of the workspace the click came from (`replies`).
 */
export function registerReviewListeners(
  app: App,
  replies: (context: Context) => WebClient,
  ports: SlackPorts,
  userEmail: (context: Context, userId: string) => Promise<string | undefined>,
  log: Logger,
) {
  const tell = async (context: Context, channel: string | undefined, user: string, text: string) => {
    if (!channel) return;
    await replies(context)
      .chat.postEphemeral({ channel, user, text })
      .catch((err) => log.warn({ err: (err as Error).message }, 'ephemeral reply failed'));
  };

  const review = async (
    context: Context,
    body: BlockAction | ViewSubmitAction,
    target: { actionId: string; argsVersion: number },
    decision: 'approve' | 'deny',
    channel: string | undefined,
    extra: { reason?: string; edits?: Record<string, string> } = {},
  ) => {
    const email = await userEmail(context, body.user.id);
    const reviewer = reviewerFrom(body, email);
    if (!reviewer) return tell(context, channel, body.user.id, 'Airlock could not tell which workspace this click came from.');
    let result;
    try {
      result = await ports.recordReview({ reviewer, ...target, decision, ...extra });
    } catch (err) {
      // Postgres or the queue is down: the click was not recorded, and the reviewer must know.
      log.error({ err: (err as Error).message, action: target.actionId }, 'a review could not be recorded');
      return tell(context, channel, body.user.id, 'Airlock could not record your decision right now (its database is unreachable). Nothing was decided; please try again in a minute.');
    }
    if (result.kind !== 'accepted') await tell(context, channel, body.user.id, renderMessage(result.message));
  };

  const safely = (what: string, fn: () => Promise<unknown>) =>
    fn().catch((err) => log.error({ err: (err as Error).message, what }, 'Slack interaction failed after ack'));

  app.action<BlockAction<ButtonAction>>(APPROVE_ACTION_ID, async ({ ack, body, action, context }) => {
    await ack();
    void safely('approve', () => review(context, body, parseReviewValue(action.value), 'approve', body.channel?.id));
  });

  app.action<BlockAction<ButtonAction>>(DENY_ACTION_ID, async ({ ack, body, action, client }) => {
    await ack();
    // The trigger id expires in 3 s: open the modal before anything slow.
    const target = parseReviewValue(action.value);
    void safely('open deny modal', () =>
      client.views.open({ trigger_id: body.trigger_id, view: renderDenyModal(target.actionId, encodeMeta({ ...target, channel: body.channel?.id })) }),
    );
  });

  app.action<BlockAction<ButtonAction>>(APPROVE_EDIT_ACTION_ID, async ({ ack, body, action, client, context }) => {
    await ack();
    void safely('open edit modal', async () => {
      const teamId = body.user.team_id ?? body.team?.id ?? '';
      const target = parseReviewValue(action.value);
      const found = await ports.actionForEdit(teamId, target.actionId);
      if (!found) return tell(context, body.channel?.id, body.user.id, 'This action cannot be edited.');
      if (found.action.argsVersion !== target.argsVersion) {
        return tell(context, body.channel?.id, body.user.id, 'The arguments changed since this card was shown. Review the updated card first.');
      }
      // The form shows, and its submission is bound to, the version the reviewer opened it on.
      await client.views.open({
        trigger_id: body.trigger_id,
        view: renderApproveEditModal(found.action, found.editable, encodeMeta({ ...target, channel: body.channel?.id })),
      });
    });
  });

  // A link button still sends an interaction; it only needs its ack.
  app.action(AUDIT_LINK_ACTION_ID, async ({ ack }) => {
    await ack();
  });

  app.view<ViewSubmitAction>(DENY_MODAL_CALLBACK_ID, async ({ ack, body, view, context }) => {
    const reason = reasonFrom(view.state.values)?.trim();
    if (!reason) {
      await ack({ response_action: 'errors', errors: { reason: 'A reason is required to deny.' } });
      return;
    }
    await ack();
    const meta = decodeMeta(view.private_metadata);
    if (meta) void safely('deny', () => review(context, body, meta, 'deny', meta.channel, { reason }));
  });

  app.view<ViewSubmitAction>(APPROVE_EDIT_MODAL_CALLBACK_ID, async ({ ack, body, view, context }) => {
    await ack();
    const meta = decodeMeta(view.private_metadata);
    const edits = editsFrom(view.state.values);
    if (meta) void safely('approve with changes', () => review(context, body, meta, 'approve', meta.channel, { reason: reasonFrom(view.state.values), edits }));
  });
}
