import { currentArgs, isIrreversible, type Action } from '../../src/domain/action.js';
import type { Person } from '../../src/domain/message.js';
import type { CardState, DecidedOutcome } from '../../src/domain/card-state.js';
import type { Risk } from '../../src/domain/decision.js';
import { getPath, parsePath } from '../../src/domain/paths.js';
import type { ToolPolicy } from '../../src/domain/policy-model.js';
import { REDACTED } from '../../src/domain/redact.js';
import { md, mdLine, neutralize, plain, truncate } from './adaptive-text.js';
import { personName } from './render-message.js';
import {
  APPROVE_REASON_INPUT,
  DENY_REASON_INPUT,
  VERB_APPROVE,
  VERB_APPROVE_EDIT,
  VERB_DENY,
  VERB_REFRESH,
  editInputId,
  type CardActionData,
} from './card-ids.js';

/** The same input as the Slack card's (adapters/slack/render-approval-card.ts), so both grow together. */
export interface ApprovalCardInput {
  action: Action;
  tool: ToolPolicy | undefined;
  reviewerGroupName: string;
  auditUrl?: string;
  state: CardState;
}

/**
 * Who sees what. `buttons`: this rendering carries Approve/Deny (a reviewer's
 * own view, or the shared card when nobody is listed). `refreshUserIds`: the
 * users whose Teams client asks the bot for their own view of the shared card
 * (the refresh model); Teams honours at most 60.
 */
export interface CardView {
  buttons: boolean;
  refreshUserIds?: string[];
}

export type AdaptiveElement = Record<string, unknown>;
export interface AdaptiveCard {
  type: 'AdaptiveCard';
  $schema: string;
  version: '1.5';
  body: AdaptiveElement[];
  actions?: AdaptiveElement[];
  refresh?: { action: AdaptiveElement; userIds?: string[] };
  msteams?: { width: 'Full' };
  fallbackText?: string;
}

/** Teams refuses a message over about 28 KB; the card (as JSON, in bytes) stays under this, leaving room for the activity around it. */
export const CARD_MAX_BYTES = 24_000;
export const REFRESH_MAX_USERS = 60;

const OUTCOMES: Record<DecidedOutcome, { emoji: string; label: string; color: string }> = {
  approved: { emoji: '✅', label: 'Approved', color: 'Good' },
  denied: { emoji: '⛔', label: 'Denied', color: 'Attention' },
  expired: { emoji: '⌛', label: 'Expired', color: 'Warning' },
  fallback: { emoji: '↩️', label: 'Timed out, fell back', color: 'Warning' },
  escalated: { emoji: '⏫', label: 'Timed out, escalated', color: 'Warning' },
  constrained: { emoji: '🔒', label: 'Constrained by an admin', color: 'Warning' },
};

const RISK_BADGES: Record<Risk, string> = { low: '🟢 low', medium: '🟠 medium', high: '🔴 **high**' };

/** Text budgets in code units. Halved until the card fits CARD_MAX_BYTES. */
interface Budget {
  section: number;
  fact: number;
  argCount: number;
  argValue: number;
  reasons: number;
  editInputs: number;
}
const FULL: Budget = { section: 3000, fact: 300, argCount: 40, argValue: 300, reasons: 2000, editInputs: 3000 };

/**
 * The Adaptive Card (1.5) for one action, pending or decided. Pure: the same
 * input always gives the same card, whatever the size or content of the
 * action's fields, and never larger than CARD_MAX_BYTES.
 */
export function renderAdaptiveCard(input: ApprovalCardInput, view: CardView): AdaptiveCard {
  let budget = FULL;
  for (let i = 0; i < 8; i++) {
    const card = build(input, view, budget);
    if (Buffer.byteLength(JSON.stringify(card), 'utf8') <= CARD_MAX_BYTES) return card;
    budget = {
      section: Math.floor(budget.section / 2),
      fact: Math.max(40, Math.floor(budget.fact / 2)),
      argCount: Math.max(3, Math.floor(budget.argCount / 2)),
      argValue: Math.max(40, Math.floor(budget.argValue / 2)),
      reasons: Math.floor(budget.reasons / 2),
      editInputs: Math.floor(budget.editInputs / 2),
    };
  }
  // Unreachable with any real action (every part is bounded), but never send what Teams refuses.
  return build(input, { buttons: false }, { section: 100, fact: 40, argCount: 0, argValue: 0, reasons: 100, editInputs: 0 });
}

function build(input: ApprovalCardInput, view: CardView, b: Budget): AdaptiveCard {
  const { action, state } = input;
  const irreversible = isIrreversible(action);
  const body: AdaptiveElement[] = [header(action, state, irreversible)];
  if (state.kind === 'decided') body.push(...outcome(state, input.auditUrl));
  if (irreversible) {
    body.push(container('attention', [text('🚨 **IRREVERSIBLE**: once approved, this action cannot be undone.', { color: 'Attention', weight: 'Bolder' })]));
  }
  body.push(facts(input, b));
  if (action.summary) body.push(...titled("Agent's summary", md(action.summary, b.section), { isSubtle: false }));
  if (action.consequence) body.push(...titled('Consequence', md(action.consequence, b.section)));
  if (action.reasons.length > 0) body.push(...titled('Why this needs approval', bulletList(action.reasons, b.reasons)));
  const edited = action.argsVersion > 1 ? ` (version ${action.argsVersion}, changed by a reviewer)` : '';
  body.push(text(`**Arguments${edited}**`, { spacing: 'Medium' }), argFacts(currentArgs(action), b));
  if (action.argsEdits.length > 0) body.push(...titled('What changed', editHistory(action, b)));
  if (state.kind === 'pending') {
    body.push(text(`**Deadline** ${action.expiresAt ? date(action.expiresAt) : 'none'}`, { spacing: 'Medium' }));
    body.push(text(`**If nobody decides by then:** ${onTimeout(action, input.tool)}`));
    const quorum = quorumLine(action, state.approvals);
    if (quorum) body.push(text(quorum, { isSubtle: true }));
  }
  body.push(text(`Policy ${mdLine(action.policyVersion, 200)} · rule ${mdLine(action.rule, 300)}`, { isSubtle: true, size: 'Small' }));

  const card: AdaptiveCard = {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body,
    msteams: { width: 'Full' },
    fallbackText: fallbackText(action, state, irreversible),
  };
  const data: CardActionData = { actionId: action.id, round: action.round, argsVersion: action.argsVersion };
  if (state.kind === 'pending') {
    if (view.buttons) card.actions = buttons(input, data, b);
    const users = view.refreshUserIds?.slice(0, REFRESH_MAX_USERS);
    if (users && users.length > 0) {
      card.refresh = { action: { type: 'Action.Execute', title: 'Refresh', verb: VERB_REFRESH, data }, userIds: users };
    }
  } else if (input.auditUrl && safeUrl(input.auditUrl)) {
    card.actions = [{ type: 'Action.OpenUrl', title: 'Audit record', url: input.auditUrl }];
  }
  return card;
}

const text = (value: string, extra: Record<string, unknown> = {}): AdaptiveElement => ({ type: 'TextBlock', text: value, wrap: true, ...extra });

const container = (style: string, items: AdaptiveElement[]): AdaptiveElement => ({ type: 'Container', style, bleed: true, items });

const titled = (title: string, value: string, extra: Record<string, unknown> = {}): AdaptiveElement[] => [
  text(`**${title}**`, { spacing: 'Medium' }),
  text(value, extra),
];

function header(action: Action, state: CardState, irreversible: boolean): AdaptiveElement {
  const lead =
    state.kind === 'decided'
      ? `${OUTCOMES[state.outcome].emoji} ${OUTCOMES[state.outcome].label}`
      : irreversible
        ? '🚨 IRREVERSIBLE action needs approval'
        : 'Approval needed';
  return text(`${lead}: ${mdLine(action.tool, 150)}`, { size: 'Large', weight: 'Bolder', style: 'heading', color: irreversible && state.kind === 'pending' ? 'Attention' : 'Default' });
}

function outcome(state: Extract<CardState, { kind: 'decided' }>, auditUrl: string | undefined): AdaptiveElement[] {
  const o = OUTCOMES[state.outcome];
  const by = state.by.length > 0 ? ` by ${people(state.by)}` : '';
  const items = [text(`**${o.label}**${by} ${date(state.at)}`, { color: o.color })];
  if (state.reason) items.push(text(`**Reason**: ${md(state.reason, 1400)}`));
  if (state.detail) items.push(text(md(state.detail, 1000), { isSubtle: true }));
  if (auditUrl && !safeUrl(auditUrl)) items.push(text('Audit record link omitted (unsafe URL).', { isSubtle: true }));
  return [container(state.outcome === 'approved' ? 'good' : 'warning', items)];
}

/** Who, what and where. */
function facts({ action, reviewerGroupName }: ApprovalCardInput, b: Budget): AdaptiveElement {
  const requester = [
    action.requester.display ? mdLine(action.requester.display, 200) : undefined,
    mdLine(action.requester.id, b.fact),
    action.requester.email ? mdLine(action.requester.email, b.fact) : undefined,
  ].filter((p) => p !== undefined);
  const required = action.requiredApprovals ?? 1;
  const effects = action.effects.map((e) => (e === 'irreversible' ? '🚨 **IRREVERSIBLE**' : mdLine(e, 50)));
  const rows: [string, string][] = [
    ['Action', mdLine(action.id, 200)],
    ['Tool', mdLine(action.tool, b.fact)],
    ['Requester', requester.join(' · ')],
    ['Agent', mdLine(action.agent, b.fact)],
    ['Tenant', mdLine(action.tenant, b.fact)],
    ['Workflow', action.workflow ? mdLine(action.workflow, b.fact) : '—'],
    ['Environment', mdLine(action.environment, b.fact)],
    ['Risk', RISK_BADGES[action.risk]],
    ['Effects', effects.length > 0 ? effects.join(', ') : 'none declared'],
    ['Reviewers', `${mdLine(reviewerGroupName, b.fact)}${required > 1 ? ` (${required} approvals needed)` : ''}`],
  ];
  return { type: 'FactSet', facts: rows.map(([title, value]) => ({ title, value })) };
}

/**
 * Top-level arguments as facts, each value as compact JSON cut to a budget, so
 * a 5,000-key or deeply nested argument object costs no more than a small one.
 * Redacted values show the marker the intake already put there.
 */
function argFacts(args: Record<string, unknown>, b: Budget): AdaptiveElement {
  const keys = Object.keys(args);
  const shown = keys.slice(0, b.argCount);
  const facts = shown.map((k) => ({ title: mdLine(k, 100), value: mdLine(preview(args[k], b.argValue), b.argValue) }));
  if (keys.length > shown.length) facts.push({ title: '…', value: `and ${keys.length - shown.length} more` });
  if (keys.length === 0) facts.push({ title: '—', value: 'no arguments' });
  return { type: 'FactSet', facts };
}

/** Compact JSON, stopping once `max` characters are written (never serialises a huge value whole). */
function preview(value: unknown, max: number): string {
  let out = '';
  const emit = (s: string) => {
    out += s;
    return out.length <= max;
  };
  const walk = (v: unknown, depth: number): boolean => {
    if (v === null || typeof v !== 'object') return emit(scalar(v));
    const array = Array.isArray(v);
    if (depth >= 6) return emit(array ? '[…]' : '{…}');
    if (!emit(array ? '[' : '{')) return false;
    const keys = array ? undefined : Object.keys(v);
    const size = array ? v.length : keys!.length;
    for (let i = 0; i < size; i++) {
      if (i > 0 && !emit(', ')) return false;
      const key = keys?.[i];
      if (key !== undefined && !emit(`${JSON.stringify(truncate(key, 100))}: `)) return false;
      if (!walk(key === undefined ? (v as unknown[])[i] : (v as Record<string, unknown>)[key], depth + 1)) return false;
    }
    return emit(array ? ']' : '}');
  };
  walk(value, 0);
  return out;
}

function scalar(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(truncate(v, 300));
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return 'null';
}

function bulletList(items: readonly string[], max: number): string {
  const lines: string[] = [];
  let length = 0;
  for (const [i, item] of items.entries()) {
    const line = `- ${mdLine(item, 500)}`;
    if (length + line.length + 1 > max) {
      lines.push(`…and ${items.length - i} more`);
      break;
    }
    lines.push(line);
    length += line.length + 1;
  }
  return lines.join('\n');
}

function onTimeout(action: Action, tool: ToolPolicy | undefined): string {
  const approval = tool?.approval;
  if (!approval || approval.onTimeout === 'deny' || (approval.onTimeout === 'escalate' && action.escalated)) return 'the action is denied.';
  if (approval.onTimeout === 'fallback') return `the agent falls back to ${mdLine(tool.safestMode, 50)} mode.`;
  return `it is escalated to ${approval.escalateTo ? mdLine(approval.escalateTo, 300) : 'the escalation group'}.`;
}

function quorumLine(action: Action, approvals: Person[]): string | undefined {
  const required = action.requiredApprovals ?? 1;
  if (required <= 1 && approvals.length === 0) return undefined;
  const version = action.argsVersion > 1 ? ` of argument version ${action.argsVersion}` : '';
  return `☑️ ${approvals.length} of ${required} approvals${version}${approvals.length > 0 ? `: ${people(approvals)}` : ''}`;
}

const people = (list: readonly Person[], max = 10): string =>
  `${list.slice(0, max).map(personName).join(', ')}${list.length > max ? ` and ${list.length - max} more` : ''}`;

/** Who changed which argument, newest last; values are never redacted ones (edits cannot touch those). */
function editHistory(action: Action, b: Budget): string {
  const lines = action.argsEdits.slice(-5).map((e) => {
    const changes = e.changes.slice(0, 5).map((c) => `${mdLine(c.path, 200)}: ${showValue(c.from, b)} → ${showValue(c.to, b)}`);
    const more = e.changes.length > 5 ? ` and ${e.changes.length - 5} more` : '';
    return `- v${e.version} by ${personName({ platform: e.by.platform, id: e.by.userId, name: e.by.name })} ${date(e.at)}: ${changes.join('; ')}${more}`;
  });
  const earlier = action.argsEdits.length > 5 ? [`…${action.argsEdits.length - 5} earlier change(s)`] : [];
  return [...earlier, ...lines].join('\n');
}

const showValue = (v: unknown, b: Budget) => (v === undefined ? '*(none)*' : mdLine(preview(v, b.argValue), b.argValue));

function buttons({ action, tool }: ApprovalCardInput, data: CardActionData, b: Budget): AdaptiveElement[] {
  const actions: AdaptiveElement[] = [
    { type: 'Action.Execute', title: 'Approve', verb: VERB_APPROVE, data, style: 'positive' },
    {
      type: 'Action.ShowCard',
      title: 'Deny',
      card: {
        type: 'AdaptiveCard',
        body: [reasonInput(DENY_REASON_INPUT, 'Why deny it? The agent sees this reason.', true)],
        actions: [{ type: 'Action.Execute', title: 'Deny', verb: VERB_DENY, data, style: 'destructive', associatedInputs: 'auto' }],
      },
    },
  ];
  const editable = [...new Set(tool?.approval?.editable ?? [])];
  if (editable.length > 0) {
    actions.push({
      type: 'Action.ShowCard',
      title: 'Approve with changes',
      card: {
        type: 'AdaptiveCard',
        body: [
          ...(isIrreversible(action) ? [text('🚨 **IRREVERSIBLE**: once approved, this action cannot be undone.', { color: 'Attention' })] : []),
          ...editable.slice(0, 20).map((path) => editInput(action, path, b.editInputs)),
          reasonInput(APPROVE_REASON_INPUT, 'Reason (optional). The agent sees it.', false),
        ],
        actions: [{ type: 'Action.Execute', title: 'Approve with changes', verb: VERB_APPROVE_EDIT, data, style: 'positive', associatedInputs: 'auto' }],
      },
    });
  }
  return actions;
}

function reasonInput(id: string, label: string, required: boolean): AdaptiveElement {
  return {
    type: 'Input.Text',
    id,
    label,
    isMultiline: true,
    maxLength: 2000,
    isRequired: required,
    ...(required ? { errorMessage: 'A reason is required to deny.' } : {}),
  };
}

/**
 * Prefilled with the current value (JSON for anything not a string), except
 * where an unedited submit would change it: a redacted value would come back
 * as the marker, and one longer than the budget would come back cut. An
 * input left empty keeps the current value.
 */
function editInput(action: Action, path: string, max: number): AdaptiveElement {
  const current = getPath(currentArgs(action), parsePath(path));
  const value = current === undefined ? undefined : typeof current === 'string' ? current : safeJson(current);
  const input: AdaptiveElement = {
    type: 'Input.Text',
    id: editInputId(path),
    label: plain(path, 200),
    isMultiline: typeof current !== 'string' || (value?.length ?? 0) > 150 || (value?.includes('\n') ?? false),
    maxLength: 3000,
  };
  if (value?.includes(REDACTED)) input.placeholder = 'The current value is redacted. Leave empty to keep it.';
  else if (value === undefined) input.placeholder = 'No current value is shown. Leave empty to keep it as it is.';
  else if (value.length > max) input.placeholder = 'The current value is too long to show here. Leave empty to keep it.';
  // Neutralizing an input's value would change it on an unedited submit, so such a value is not shown at all.
  else if (neutralize(value) !== value) input.placeholder = 'The current value contains invisible or direction-changing characters. Leave empty to keep it.';
  else {
    input.value = value;
    input.placeholder = typeof current === 'string' ? 'Leave empty to keep the current value.' : 'A JSON value. Leave empty to keep the current value.';
  }
  return input;
}

/** Rendered by Teams in each reader's own time zone and locale. */
const date = (at: Date): string => {
  const iso = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `{{DATE(${iso}, SHORT)}} {{TIME(${iso})}}`;
};

/** The notification text (activity summary); plain text. */
function fallbackText(action: Action, state: CardState, irreversible: boolean): string {
  const head =
    state.kind === 'decided'
      ? `${OUTCOMES[state.outcome].label}: ${action.tool}`
      : `${irreversible ? 'IRREVERSIBLE action needs approval' : 'Approval needed'}: ${action.tool} for ${action.requester.display ?? action.requester.id}`;
  return plain(`${head}${action.summary ? ` — ${action.summary.replace(/\s+/g, ' ')}` : ''}`, 300);
}

const safeUrl = (url: string): boolean => /^https?:\/\/[^\s<>"]+$/.test(url) && url.length <= 2000;

function safeJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}
