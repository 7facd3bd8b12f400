import { renderApprovalCard } from '../../adapters/slack/render-approval-card.js';
import { renderAdaptiveCard, type CardView } from '../../adapters/teams/render-adaptive-card.js';
import type { Action } from '../../src/domain/action.js';
import { cardInState } from '../../src/domain/approval-card.js';
import type { CardState } from '../../src/domain/card-state.js';
import type { ToolPolicy } from '../../src/domain/policy-model.js';

export type { CardState };

/** What a renderer test varies: the action, its tool, its group's name, the state shown, the audit link. */
export interface CardInput {
  action: Action;
  tool: ToolPolicy | undefined;
  reviewerGroupName: string;
  state: CardState;
  auditUrl?: string;
}

const cardOf = (i: CardInput) => cardInState({ action: i.action, tool: i.tool, groupName: i.reviewerGroupName, state: i.state });

/** The core's card for the input, as Slack blocks. */
export const slackCard = (i: CardInput) => renderApprovalCard(cardOf(i), { auditUrl: i.auditUrl });

/** The core's card for the input, as a Teams Adaptive Card. */
export const teamsCard = (i: CardInput, view: CardView) => renderAdaptiveCard(cardOf(i), view, { auditUrl: i.auditUrl });
