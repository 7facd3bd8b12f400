import type { ActionsBlock, Button, ContextBlock, KnownBlock, MrkdwnElement, SectionBlock } from '@slack/types';
import { currentArgs, isIrreversible, type Action } from '../../src/domain/action.js';
import type { Person } from '../../src/domain/message.js';
import type { Risk } from '../../src/domain/decision.js';
import type { ToolPolicy } from '../../src/domain/policy-model.js';
import { APPROVE_ACTION_ID, APPROVE_EDIT_ACTION_ID, AUDIT_LINK_ACTION_ID, DENY_ACTION_ID, REVIEW_BLOCK_ID, reviewValue } from './ids.js';
import { bulletList, codeBlock, inlineCode, link, mrkdwn, people, person, quote, slackDate, truncate, truncateMrkdwn } from './mrkdwn.js';

import type { CardState, DecidedOutcome } from '../../src/domain/card-state.js';

export type { CardState, DecidedOutcome };

export interface ApprovalCardInput {
  action: Action;
  tool: ToolPolicy | undefined;
  reviewerGroupName: string;
  auditUrl?: string;
  state: CardState;
}

// Block Kit limits (docs.slack.dev/reference/block-kit). Anything longer is
// rejected with invalid_blocks, so every piece of text is cut to fit.
const HEADER_MAX = 150;
const SECTION_MAX = 3000;
const FIELD_MAX = 2000;
const CONTEXT_TEXT_MAX = 2000;
const CONFIRM_TEXT_MAX = 300;
const BUTTON_URL_MAX = 3000;
// Slack allows 40,000 characters of fallback text; notifications show a line.
const FALLBACK_TEXT_MAX = 3000;

const JSON_MAX_DEPTH = 8;
const JSON_STRING_MAX = 300;

const OUTCOMES: Record<DecidedOutcome, { emoji: string; label: string }> = {
  approved: { emoji: ':white_check_mark:', label: 'Approved' },
  denied: { emoji: ':no_entry:', label: 'Denied' },
  expired: { emoji: ':hourglass:', label: 'Expired' },
  constrained: { emoji: ':lock:', label: 'Constrained by an admin' },
  fallback: { emoji: ':leftwards_arrow_with_hook:', label: 'Timed out, fell back' },
  escalated: { emoji: ':arrow_double_up:', label: 'Timed out, escalated' },
};

const RISK_BADGES: Record<Risk, string> = {
  low: ':large_green_circle: low',
  medium: ':large_orange_circle: medium',
  high: ':red_circle: *high*',
};

/**
 * The approval card for one action, pending (with buttons) or decided (the
 * same facts plus the outcome, no buttons). Pure: the same input always gives
 * the same card, whatever the size or content of the action's fields.
 */
export function renderApprovalCard(input: ApprovalCardInput): { text: string; blocks: KnownBlock[] } {
  const { action, state } = input;
  const irreversible = isIrreversible(action);
  const blocks: KnownBlock[] = [header(action, state, irreversible)];
  if (state.kind === 'decided') blocks.push(...outcome(state, input.auditUrl));
  if (irreversible) {
    blocks.push(section(':rotating_light: *IRREVERSIBLE* — once approved, this action cannot be undone.'));
  }
  blocks.push(facts(input));
  if (action.summary) blocks.push(section(`*Agent's summary*\n${quote(action.summary, SECTION_MAX - 20)}`));
  if (action.consequence) blocks.push(section(`*Consequence*\n${mrkdwn(action.consequence, SECTION_MAX - 20)}`));
  if (action.reasons.length > 0) {
    blocks.push(section(`*Why this needs approval*\n${bulletList(action.reasons, SECTION_MAX - 40)}`));
  }
  const edited = action.argsVersion > 1 ? ` (version ${action.argsVersion}, changed by a reviewer)` : '';
  blocks.push(section(`*Arguments${edited}*\n${codeBlock(previewJson(currentArgs(action), SECTION_MAX), SECTION_MAX - 80)}`));
  if (action.argsEdits.length > 0) blocks.push(section(`*What changed*\n${editHistory(action)}`));
  if (state.kind === 'pending') {
    blocks.push(section(`*Deadline* ${action.expiresAt ? slackDate(action.expiresAt) : 'none'}\n*If nobody decides by then:* ${onTimeout(action, input.tool)}`));
    const quorum = quorumLine(action, state.approvals);
    if (quorum) blocks.push(context(quorum));
  }
  blocks.push(context(`Policy ${inlineCode(action.policyVersion, 200)} · rule ${inlineCode(action.rule, 300)}`));
  if (state.kind === 'pending') blocks.push(buttons(input, irreversible));
  return { text: fallbackText(action, state, irreversible), blocks };
}

function header(action: Action, state: CardState, irreversible: boolean): KnownBlock {
  const lead =
    state.kind === 'decided'
      ? `${OUTCOMES[state.outcome].emoji} ${OUTCOMES[state.outcome].label}`
      : irreversible
        ? ':rotating_light: IRREVERSIBLE action needs approval'
        : 'Approval needed';
  return { type: 'header', text: { type: 'plain_text', text: truncate(`${lead}: ${action.tool}`, HEADER_MAX), emoji: true } };
}

function outcome(state: Extract<CardState, { kind: 'decided' }>, auditUrl: string | undefined): KnownBlock[] {
  const by = state.by.length > 0 ? ` by ${people(state.by)}` : '';
  const lines = [`*${OUTCOMES[state.outcome].label}*${by} ${slackDate(state.at)}`];
  if (state.reason) lines.push(`*Reason*\n${quote(state.reason, 1400)}`);
  if (state.detail) lines.push(mrkdwn(state.detail, 1000));
  const blocks: KnownBlock[] = [section(lines.join('\n'))];
  const audit = auditUrl === undefined ? undefined : link(auditUrl, 'Audit record');
  if (audit) blocks.push(context(audit));
  return blocks;
}

/** Who, what and where, as a two-column grid: Slack allows ten fields of up to 2000 characters. */
function facts({ action, reviewerGroupName }: ApprovalCardInput): SectionBlock {
  const requester = [
    action.requester.display ? mrkdwn(action.requester.display, 200) : undefined,
    inlineCode(action.requester.id, 300),
    action.requester.email ? mrkdwn(action.requester.email, 300) : undefined,
  ].filter((part) => part !== undefined);
  const required = action.requiredApprovals ?? 1;
  const effects = action.effects.map((e) => (e === 'irreversible' ? ':rotating_light: *IRREVERSIBLE*' : e));
  const fields: [string, string][] = [
    ['Action', inlineCode(action.id, 200)],
    ['Tool', inlineCode(action.tool, 300)],
    ['Requester', requester.join(' · ')],
    ['Agent', inlineCode(action.agent, 300)],
    ['Tenant', inlineCode(action.tenant, 300)],
    ['Workflow', action.workflow ? inlineCode(action.workflow, 300) : '—'],
    ['Environment', inlineCode(action.environment, 300)],
    ['Risk', RISK_BADGES[action.risk]],
    ['Effects', effects.length > 0 ? effects.join(', ') : 'none declared'],
    ['Reviewers', `${mrkdwn(reviewerGroupName, 300)}${required > 1 ? ` (${required} approvals needed)` : ''}`],
  ];
  return {
    type: 'section',
    fields: fields.map(([label, value]) => mrkdwnText(truncateMrkdwn(`*${label}*\n${value}`, FIELD_MAX))),
  };
}

/** What the expiry job will do, so a reviewer knows the cost of not answering. */
function onTimeout(action: Action, tool: ToolPolicy | undefined): string {
  const approval = tool?.approval;
  // A second escalation never happens: an escalated action that times out again is denied.
  if (!approval || approval.onTimeout === 'deny' || (approval.onTimeout === 'escalate' && action.escalated)) {
    return 'the action is denied.';
  }
  if (approval.onTimeout === 'fallback') {
    return `the agent falls back to ${inlineCode(tool.safestMode, 50)} mode.`;
  }
  return `it is escalated to ${approval.escalateTo ? mrkdwn(approval.escalateTo, 300) : 'the escalation group'}.`;
}

function quorumLine(action: Action, approvals: Person[]): string | undefined {
  const required = action.requiredApprovals ?? 1;
  if (required <= 1 && approvals.length === 0) return undefined;
  const by = approvals.length > 0 ? `: ${people(approvals)}` : '';
  const version = action.argsVersion > 1 ? ` of argument version ${action.argsVersion}` : '';
  return `:ballot_box_with_check: ${approvals.length} of ${required} approvals${version}${by}`;
}

/** Who changed which argument, newest last; values are never redacted ones (edits cannot touch those). */
function editHistory(action: Action): string {
  const lines = action.argsEdits.slice(-5).map((e) => {
    const changes = e.changes.slice(0, 5).map((c) => `${inlineCode(c.path, 200)}: ${showValue(c.from)} → ${showValue(c.to)}`);
    const more = e.changes.length > 5 ? ` and ${e.changes.length - 5} more` : '';
    return `• v${e.version} by ${person({ platform: e.by.platform, id: e.by.userId, name: e.by.name })} ${slackDate(e.at)}: ${changes.join('; ')}${more}`;
  });
  const earlier = action.argsEdits.length > 5 ? `…${action.argsEdits.length - 5} earlier change(s)\n` : '';
  return truncateMrkdwn(`${earlier}${lines.join('\n')}`, SECTION_MAX - 40);
}

const showValue = (v: unknown) => (v === undefined ? '_(none)_' : inlineCode(typeof v === 'string' ? JSON.stringify(v) : (safeJson(v) ?? '?'), 300));

function safeJson(v: unknown): string | undefined {
  try {
    return JSON.stringify(v);
  } catch {
    return undefined;
  }
}

function buttons({ action, tool, auditUrl }: ApprovalCardInput, irreversible: boolean): ActionsBlock {
  const approve: Button = {
    type: 'button',
    action_id: APPROVE_ACTION_ID,
    text: { type: 'plain_text', text: 'Approve', emoji: true },
    style: 'primary',
    // The version the reviewer is looking at: an approval counts only for the arguments shown.
    value: reviewValue(action.id, action.argsVersion),
  };
  if (irreversible) {
    approve.confirm = {
      title: { type: 'plain_text', text: 'Approve an irreversible action?' },
      text: {
        type: 'plain_text',
        text: truncate(`This cannot be undone. ${action.consequence ?? action.summary ?? action.tool}`, CONFIRM_TEXT_MAX),
      },
      confirm: { type: 'plain_text', text: 'Approve' },
      deny: { type: 'plain_text', text: 'Cancel' },
      style: 'danger',
    };
  }
  const elements: Button[] = [
    approve,
    // Deny opens a modal that asks for the reason, which is confirmation enough.
    { type: 'button', action_id: DENY_ACTION_ID, text: { type: 'plain_text', text: 'Deny' }, style: 'danger', value: reviewValue(action.id, action.argsVersion) },
  ];
  if ((tool?.approval?.editable.length ?? 0) > 0) {
    elements.push({ type: 'button', action_id: APPROVE_EDIT_ACTION_ID, text: { type: 'plain_text', text: 'Approve with changes' }, value: reviewValue(action.id, action.argsVersion) });
  }
  if (auditUrl && auditUrl.length <= BUTTON_URL_MAX) {
    elements.push({ type: 'button', action_id: AUDIT_LINK_ACTION_ID, text: { type: 'plain_text', text: 'Audit record' }, url: auditUrl, value: action.id });
  }
  return { type: 'actions', block_id: REVIEW_BLOCK_ID, elements };
}

/** The notification line; Slack parses it as mrkdwn too, so it is escaped like the blocks. */
function fallbackText(action: Action, state: CardState, irreversible: boolean): string {
  const head =
    state.kind === 'decided'
      ? `${OUTCOMES[state.outcome].label}${state.by.length > 0 ? ` by ${people(state.by, 3)}` : ''}: ${mrkdwn(action.tool, 300)}`
      : `${irreversible ? 'IRREVERSIBLE action needs approval' : 'Approval needed'}: ${mrkdwn(action.tool, 300)} for ${mrkdwn(action.requester.display ?? action.requester.id, 300)}`;
  const summary = action.summary ? ` — ${mrkdwn(action.summary.replace(/\s+/g, ' '), FALLBACK_TEXT_MAX)}` : '';
  return truncateMrkdwn(`${head}${summary}`, FALLBACK_TEXT_MAX);
}

// `verbatim` stops Slack from turning bare `@here`, `#channel` or URLs in
// untrusted text into mentions and links; our own `<!date…>` and `<@U…>` still render.
const mrkdwnText = (text: string): MrkdwnElement => ({ type: 'mrkdwn', text, verbatim: true });

const section = (text: string): SectionBlock => ({ type: 'section', text: mrkdwnText(truncateMrkdwn(text, SECTION_MAX)) });

const context = (text: string): ContextBlock => ({ type: 'context', elements: [mrkdwnText(truncateMrkdwn(text, CONTEXT_TEXT_MAX))] });

/**
 * Pretty JSON of the arguments, stopping once `budget` characters are written
 * so a 5,000-key or deeply nested argument object costs no more than a small
 * one. Long strings and deep levels are elided; the result is for reading, not parsing.
 */
function previewJson(value: unknown, budget: number): string {
  const out: string[] = [];
  let length = 0;
  const emit = (s: string): boolean => {
    out.push(s);
    length += s.length;
    return length < budget;
  };
  const walk = (v: unknown, indent: string, depth: number): boolean => {
    if (v === null || typeof v !== 'object') return emit(scalar(v));
    const array = Array.isArray(v);
    const [open, close] = array ? ['[', ']'] : ['{', '}'];
    const keys = array ? undefined : Object.keys(v);
    const size = array ? v.length : (keys?.length ?? 0);
    if (size === 0) return emit(`${open}${close}`);
    if (depth >= JSON_MAX_DEPTH) return emit(`${open}…${close}`);
    if (!emit(open)) return false;
    const inner = `${indent}  `;
    for (let i = 0; i < size; i++) {
      const key = keys?.[i];
      const prefix = key === undefined ? `\n${inner}` : `\n${inner}${JSON.stringify(truncate(key, JSON_STRING_MAX))}: `;
      const item = key === undefined ? (v as unknown[])[i] : (v as Record<string, unknown>)[key];
      if (!emit(prefix) || !walk(item, inner, depth + 1)) return false;
      if (i < size - 1 && !emit(',')) return false;
    }
    return emit(`\n${indent}${close}`);
  };
  walk(value, '', 0);
  return out.join('');
}

function scalar(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(truncate(v, JSON_STRING_MAX));
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return 'null';
}
