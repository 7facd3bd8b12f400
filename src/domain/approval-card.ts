import { currentArgs, isIrreversible, type Action } from './action.js';
import { cardStateFor, type CardState, type DecidedOutcome } from './card-state.js';
import type { Risk } from './decision.js';
import type { Inline, Line, Person } from './message.js';
import type { Policy, ReviewerGroup, ToolPolicy } from './policy-model.js';
import { timeoutPlan, type TimeoutPlan } from './timeout-plan.js';

/**
 * The one approval card: what a reviewer sees about an action, decided here
 * once for every surface (Slack, Teams, the console). Each surface only
 * translates it to its own format, escapes the untrusted strings (every
 * string in the model may come from an agent) and cuts it to its own limits;
 * no surface adds or drops content.
 */
export interface ApprovalCard {
  actionId: string;
  /** The round the card belongs to (0, or 1 after escalation). */
  round: number;
  tone: CardTone;
  /** The headline: `lead` in our words, then the tool (untrusted). */
  title: { lead: string; tool: string };
  blocks: CardBlock[];
  /** Present while the card's round waits for a decision. */
  buttons?: CardButtons;
  /** One line for notifications and previews. */
  notification: { head: Line; summary?: string };
  /** Posted in the card's thread at `remind_after`. */
  reminder: Line;
}

/** How loud a card is: pending, pending and irreversible, or how it ended. */
export type CardTone = 'pending' | 'irreversible' | DecidedOutcome;

/**
 * Everything a button sends back: the action, the round and the argument
 * version the reviewer was shown (an approval counts only for the arguments
 * shown).
 */
export interface CardButtons {
  actionId: string;
  round: number;
  argsVersion: number;
  /** Asked before an approval that cannot be undone. */
  approveConfirm?: { title: string; text: string };
  /** Argument paths a reviewer may change before approving; empty: no "Approve with changes". */
  editable: string[];
  /** The arguments an edit form starts from (redacted values stay masked). */
  args: Record<string, unknown>;
  irreversible: boolean;
}

export type CardBlock =
  /** A loud warning in our own words. */
  | { kind: 'warning'; text: string }
  /** How the card's round ended. */
  | { kind: 'outcome'; outcome: DecidedOutcome; headline: Line; reason?: string; detail?: string }
  /** Labelled facts (who, what, where). */
  | { kind: 'facts'; facts: CardFact[] }
  /** Someone else's words, shown as a quote (the agent's summary). */
  | { kind: 'quote'; title: string; text: string }
  /** Untrusted text under a title (the rendered consequence). */
  | { kind: 'text'; title: string; text: string }
  /** Untrusted items as a bulleted list (why the gate fired). */
  | { kind: 'list'; title: string; items: readonly string[] }
  /** The arguments; each surface previews them within its limits. */
  | { kind: 'args'; title: string; args: Record<string, unknown> }
  /** Structured lines, optionally under a title. */
  | { kind: 'lines'; title?: string; lines: Line[] }
  /** A small, quiet line. */
  | { kind: 'note'; line: Line };

export interface CardFact {
  label: string;
  value: Line;
}

export const OUTCOME_LABELS: Record<DecidedOutcome, string> = {
  approved: 'Approved',
  denied: 'Denied',
  expired: 'Expired',
  constrained: 'Constrained by an admin',
  fallback: 'Timed out, fell back',
  escalated: 'Timed out, escalated',
};

const IRREVERSIBLE_WARNING = 'IRREVERSIBLE: once approved, this action cannot be undone.';

/** Edits and changes shown before "and N more". */
const EDITS_SHOWN = 5;
const CHANGES_SHOWN = 5;

/** What a card needs besides the action: the tool's rules (from the policy) and the group of the card's round. */
export interface CardSubject {
  action: Action;
  tool: ToolPolicy | undefined;
  group: ReviewerGroup;
  /** The card's round; the action's current round when absent. */
  round?: number;
  timeout?: TimeoutPlan;
}

/** The card for one action and round, as stored: pure, the same input always gives the same card. */
export function approvalCard({ action, tool, group, round = action.round, timeout }: CardSubject): ApprovalCard {
  return cardInState({ action, tool, groupName: group.name, round, state: cardStateFor(action, round), ...(timeout ? { timeout } : {}) });
}

/** The card showing a given state (`approvalCard` derives it from the action; tests and previews pass their own). */
export function cardInState({
  action,
  tool,
  groupName,
  state,
  round = action.round,
  timeout,
}: {
  action: Action;
  tool: ToolPolicy | undefined;
  groupName: string;
  state: CardState;
  round?: number;
  /** What the deadline does; by default as if every group named in the tool exists. */
  timeout?: TimeoutPlan;
}): ApprovalCard {
  const irreversible = isIrreversible(action);
  const pending = state.kind === 'pending';
  const blocks: CardBlock[] = [];
  if (state.kind === 'decided') blocks.push(outcomeBlock(state));
  if (irreversible) blocks.push({ kind: 'warning', text: IRREVERSIBLE_WARNING });
  blocks.push({ kind: 'facts', facts: facts(action, groupName) });
  if (action.summary) blocks.push({ kind: 'quote', title: "Agent's summary", text: action.summary });
  if (action.consequence) blocks.push({ kind: 'text', title: 'Consequence', text: action.consequence });
  if (action.reasons.length > 0) blocks.push({ kind: 'list', title: 'Why this needs approval', items: action.reasons });
  const edited = action.argsVersion > 1 ? ` (version ${action.argsVersion}, changed by a reviewer)` : '';
  blocks.push({ kind: 'args', title: `Arguments${edited}`, args: currentArgs(action) });
  if (action.argsEdits.length > 0) blocks.push({ kind: 'lines', title: 'What changed', lines: editHistory(action) });
  if (state.kind === 'pending') {
    blocks.push({
      kind: 'lines',
      lines: [
        [{ strong: 'Deadline' }, ' ', action.expiresAt ? { date: action.expiresAt } : 'none'],
        [{ strong: 'If nobody decides by then:' }, ' ', ...onTimeout(timeout ?? timeoutPlan(tool, round, () => true))],
      ],
    });
    const quorum = quorumLine(action, state.approvals);
    if (quorum) blocks.push({ kind: 'note', line: quorum });
  }
  blocks.push({ kind: 'note', line: ['Policy ', { code: action.policyVersion }, ' · rule ', { code: action.rule }] });

  const lead = state.kind === 'decided' ? OUTCOME_LABELS[state.outcome] : irreversible ? 'IRREVERSIBLE action needs approval' : 'Approval needed';
  return {
    actionId: action.id,
    round,
    tone: state.kind === 'decided' ? state.outcome : irreversible ? 'irreversible' : 'pending',
    title: { lead, tool: action.tool },
    blocks,
    ...(pending ? { buttons: buttons(action, tool, round, irreversible) } : {}),
    notification: {
      head:
        state.kind === 'decided'
          ? [OUTCOME_LABELS[state.outcome], ...(state.by.length > 0 ? [' by ', ...people(state.by, 3)] : []), ': ', action.tool]
          : [lead, ': ', action.tool, ' for ', action.requester.display ?? action.requester.id],
      ...(action.summary ? { summary: action.summary.replace(/\s+/g, ' ') } : {}),
    },
    reminder: [
      { icon: 'reminder' },
      ' Reminder: ',
      action.tool,
      ' is still waiting for a decision',
      ...(action.expiresAt ? [' before ', { date: action.expiresAt } as Inline] : []),
      '.',
    ],
  };
}

/** The reviewer group a card of this round was posted to: the action's group for its current round, the tool's first group before an escalation. */
export function groupNameForRound(action: Action, tool: ToolPolicy | undefined, round: number): string | undefined {
  if (round === action.round) return action.reviewerGroup;
  return (round === 0 ? tool?.approval?.reviewers : tool?.approval?.escalateTo) ?? action.reviewerGroup;
}

/**
 * The card of an action's round under one policy, with the group it goes to:
 * every place that posts, updates or answers with a card builds it here, so
 * the group and tool always come from one policy version. Undefined when the
 * policy no longer has the round's reviewer group.
 */
export function cardFor(policy: Policy, action: Action, round = action.round): { action: Action; group: ReviewerGroup; card: ApprovalCard } | undefined {
  const tool = policy.tools.get(action.tool);
  const name = groupNameForRound(action, tool, round);
  const group = name ? policy.tenants.get(action.tenant)?.reviewerGroups.get(name) : undefined;
  if (!group) return undefined;
  const timeout = timeoutPlan(tool, round, (g) => policy.tenants.get(action.tenant)?.reviewerGroups.has(g) ?? false);
  return { action, group, card: approvalCard({ action, tool, group, round, timeout }) };
}

function outcomeBlock(state: Extract<CardState, { kind: 'decided' }>): CardBlock {
  const headline: Line = [{ strong: OUTCOME_LABELS[state.outcome] }, ...(state.by.length > 0 ? [' by ', ...people(state.by)] : []), ' ', { date: state.at }];
  return {
    kind: 'outcome',
    outcome: state.outcome,
    headline,
    ...(state.reason ? { reason: state.reason } : {}),
    ...(state.detail ? { detail: state.detail } : {}),
  };
}

const RISK: Record<Risk, Line> = {
  low: [{ icon: 'risk_low' }, ' low'],
  medium: [{ icon: 'risk_medium' }, ' medium'],
  high: [{ icon: 'risk_high' }, ' ', { strong: 'high' }],
};

function facts(action: Action, groupName: string): CardFact[] {
  const requester: Line = [];
  for (const part of [action.requester.display, { code: action.requester.id } as Inline, action.requester.email]) {
    if (part === undefined) continue;
    if (requester.length > 0) requester.push(' · ');
    requester.push(part);
  }
  const required = action.requiredApprovals ?? 1;
  const effects: Line = [];
  for (const e of action.effects) {
    if (effects.length > 0) effects.push(', ');
    if (e === 'irreversible') effects.push({ icon: 'irreversible' }, ' ', { strong: 'IRREVERSIBLE' });
    else effects.push(e);
  }
  return [
    { label: 'Action', value: [{ code: action.id }] },
    { label: 'Tool', value: [{ code: action.tool }] },
    { label: 'Requester', value: requester },
    { label: 'Agent', value: [{ code: action.agent }] },
    { label: 'Tenant', value: [{ code: action.tenant }] },
    { label: 'Workflow', value: action.workflow ? [{ code: action.workflow }] : ['—'] },
    { label: 'Environment', value: [{ code: action.environment }] },
    { label: 'Risk', value: RISK[action.risk] },
    { label: 'Effects', value: effects.length > 0 ? effects : ['none declared'] },
    { label: 'Reviewers', value: [groupName, ...(required > 1 ? [` (${required} approvals needed)`] : [])] },
  ];
}

/** What the expiry job will do, so a reviewer knows the cost of not answering. */
function onTimeout(plan: TimeoutPlan): Line {
  if (plan.kind === 'fallback') return ['the agent falls back to ', { code: plan.mode }, ' mode.'];
  if (plan.kind === 'escalate') return ['it is escalated to ', plan.to, '.'];
  return ['the action is denied.'];
}

function quorumLine(action: Action, approvals: Person[]): Line | undefined {
  const required = action.requiredApprovals ?? 1;
  if (required <= 1 && approvals.length === 0) return undefined;
  const version = action.argsVersion > 1 ? ` of argument version ${action.argsVersion}` : '';
  return [{ icon: 'quorum' }, ` ${approvals.length} of ${required} approvals${version}`, ...(approvals.length > 0 ? [': ', ...people(approvals)] : [])];
}

/** Who changed which argument, newest last; values are never redacted ones (edits cannot touch those). */
function editHistory(action: Action): Line[] {
  const lines: Line[] = action.argsEdits.length > EDITS_SHOWN ? [[`…${action.argsEdits.length - EDITS_SHOWN} earlier change(s)`]] : [];
  for (const e of action.argsEdits.slice(-EDITS_SHOWN)) {
    const line: Line = [`v${e.version} by `, { person: { platform: e.by.platform, id: e.by.userId, ...(e.by.name ? { name: e.by.name } : {}) } }, ' ', { date: e.at }, ': '];
    e.changes.slice(0, CHANGES_SHOWN).forEach((c, i) => {
      if (i > 0) line.push('; ');
      line.push({ code: c.path }, ': ', showValue(c.from), ' → ', showValue(c.to));
    });
    if (e.changes.length > CHANGES_SHOWN) line.push(` and ${e.changes.length - CHANGES_SHOWN} more`);
    lines.push(line);
  }
  return lines;
}

const showValue = (v: unknown): Inline => (v === undefined ? '(none)' : { code: typeof v === 'string' ? JSON.stringify(v) : (safeJson(v) ?? '?') });

function safeJson(v: unknown): string | undefined {
  try {
    return JSON.stringify(v);
  } catch {
    return undefined;
  }
}

/** People as a list of at most `max`, then how many more. */
function people(list: readonly Person[], max = 10): Inline[] {
  const parts: Inline[] = [];
  list.slice(0, max).forEach((p, i) => {
    if (i > 0) parts.push(', ');
    parts.push({ person: p });
  });
  if (list.length > max) parts.push(` and ${list.length - max} more`);
  return parts;
}

function buttons(action: Action, tool: ToolPolicy | undefined, round: number, irreversible: boolean): CardButtons {
  return {
    actionId: action.id,
    round,
    argsVersion: action.argsVersion,
    ...(irreversible
      ? { approveConfirm: { title: 'Approve an irreversible action?', text: `This cannot be undone. ${action.consequence ?? action.summary ?? action.tool}` } }
      : {}),
    editable: [...new Set(tool?.approval?.editable ?? [])],
    args: currentArgs(action),
    irreversible,
  };
}
