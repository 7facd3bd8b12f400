import type { ApprovalCard, CardBlock, CardButtons, CardTone } from '../../src/domain/approval-card.js';
import { message, toPlainText } from '../../src/domain/message.js';
import { getPath, parsePath } from '../../src/domain/paths.js';
import { REDACTED } from '../../src/domain/redact.js';
import { md, mdLine, neutralize, plain, truncate } from './adaptive-text.js';
import { ICONS, renderLine } from './render-message.js';
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

/** The headline's emoji and colour, and the outcome container's style. */
const TONES: Record<CardTone, { emoji: string; color: string; style: string }> = {
  pending: { emoji: '', color: 'Default', style: 'default' },
  irreversible: { emoji: ICONS.irreversible, color: 'Attention', style: 'attention' },
  approved: { emoji: '✅', color: 'Good', style: 'good' },
  denied: { emoji: '⛔', color: 'Attention', style: 'warning' },
  expired: { emoji: '⌛', color: 'Warning', style: 'warning' },
  fallback: { emoji: '↩️', color: 'Warning', style: 'warning' },
  escalated: { emoji: '⏫', color: 'Warning', style: 'warning' },
  constrained: { emoji: '🔒', color: 'Warning', style: 'warning' },
};

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
 * The approval card as an Adaptive Card (1.5): a translation of the core's
 * card, escaped, and halved until it fits. Pure: the same card always gives
 * the same JSON, whatever the size or content of its strings, and never
 * larger than CARD_MAX_BYTES.
 */
export function renderAdaptiveCard(card: ApprovalCard, view: CardView, opts: { auditUrl?: string } = {}): AdaptiveCard {
  let budget = FULL;
  for (let i = 0; i < 8; i++) {
    const out = build(card, view, opts.auditUrl, budget);
    if (Buffer.byteLength(JSON.stringify(out), 'utf8') <= CARD_MAX_BYTES) return out;
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
  return build(card, { buttons: false }, opts.auditUrl, { section: 100, fact: 40, argCount: 0, argValue: 0, reasons: 100, editInputs: 0 });
}

function build(card: ApprovalCard, view: CardView, auditUrl: string | undefined, b: Budget): AdaptiveCard {
  const tone = TONES[card.tone];
  const pending = card.buttons !== undefined;
  const body: AdaptiveElement[] = [
    text(`${tone.emoji ? `${tone.emoji} ` : ''}${mdLine(card.title.lead, 100)}: ${mdLine(card.title.tool, 150)}`, {
      size: 'Large',
      weight: 'Bolder',
      style: 'heading',
      color: pending ? tone.color : 'Default',
    }),
  ];
  for (const block of card.blocks) body.push(...translate(block, tone, auditUrl, b));
  const out: AdaptiveCard = {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body,
    msteams: { width: 'Full' },
    fallbackText: plain(`${toPlainText(message(card.notification.head))}${card.notification.summary ? ` — ${card.notification.summary}` : ''}`, 300),
  };
  if (card.buttons) {
    const data: CardActionData = { actionId: card.buttons.actionId, round: card.buttons.round, argsVersion: card.buttons.argsVersion };
    if (view.buttons) out.actions = buttons(card.buttons, data, b);
    const users = view.refreshUserIds?.slice(0, REFRESH_MAX_USERS);
    if (users && users.length > 0) {
      out.refresh = { action: { type: 'Action.Execute', title: 'Refresh', verb: VERB_REFRESH, data }, userIds: users };
    }
  } else if (auditUrl && safeUrl(auditUrl)) {
    out.actions = [{ type: 'Action.OpenUrl', title: 'Audit record', url: auditUrl }];
  }
  return out;
}

function translate(block: CardBlock, tone: (typeof TONES)[CardTone], auditUrl: string | undefined, b: Budget): AdaptiveElement[] {
  switch (block.kind) {
    case 'warning':
      return [container('attention', [text(`${ICONS.irreversible} **${mdLine(block.text, 500)}**`, { color: 'Attention', weight: 'Bolder' })])];
    case 'outcome': {
      const items = [text(line(block.headline), { color: tone.color })];
      if (block.reason) items.push(text(`**Reason**: ${md(block.reason, 1400)}`));
      if (block.detail) items.push(text(md(block.detail, 1000), { isSubtle: true }));
      if (auditUrl && !safeUrl(auditUrl)) items.push(text('Audit record link omitted (unsafe URL).', { isSubtle: true }));
      return [container(tone.style, items)];
    }
    case 'facts':
      return [{ type: 'FactSet', facts: block.facts.map((f) => ({ title: mdLine(f.label, 100), value: line(f.value, b.fact) })) }];
    case 'quote':
      return titled(block.title, md(block.text, b.section), { isSubtle: false });
    case 'text':
      return titled(block.title, md(block.text, b.section));
    case 'list':
      return titled(block.title, bulletList(block.items, b.reasons));
    case 'args':
      return [text(`**${mdLine(block.title, 200)}**`, { spacing: 'Medium' }), argFacts(block.args, b)];
    case 'lines': {
      const lines = block.lines.map((l) => line(l, b.argValue));
      if (block.title) return titled(block.title, lines.map((l) => `- ${l}`).join('\n'));
      return lines.map((l, i) => text(l, i === 0 ? { spacing: 'Medium' } : {}));
    }
    case 'note':
      return [text(line(block.line), { isSubtle: true, size: 'Small' })];
  }
}

const line = (l: Parameters<typeof renderLine>[0], partMax = 300): string => renderLine(l, { partMax, inCard: true });

const text = (value: string, extra: Record<string, unknown> = {}): AdaptiveElement => ({ type: 'TextBlock', text: value, wrap: true, ...extra });

const container = (style: string, items: AdaptiveElement[]): AdaptiveElement => ({ type: 'Container', style, bleed: true, items });

const titled = (title: string, value: string, extra: Record<string, unknown> = {}): AdaptiveElement[] => [
  text(`**${mdLine(title, 200)}**`, { spacing: 'Medium' }),
  text(value, extra),
];

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
    const entry = `- ${mdLine(item, 500)}`;
    if (length + entry.length + 1 > max) {
      lines.push(`…and ${items.length - i} more`);
      break;
    }
    lines.push(entry);
    length += entry.length + 1;
  }
  return lines.join('\n');
}

function buttons(card: CardButtons, data: CardActionData, b: Budget): AdaptiveElement[] {
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
  if (card.editable.length > 0) {
    actions.push({
      type: 'Action.ShowCard',
      title: 'Approve with changes',
      card: {
        type: 'AdaptiveCard',
        body: [
          ...(card.irreversible ? [text(`${ICONS.irreversible} **IRREVERSIBLE**: once approved, this action cannot be undone.`, { color: 'Attention' })] : []),
          ...card.editable.slice(0, 20).map((path) => editInput(card.args, path, b.editInputs)),
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
function editInput(args: Record<string, unknown>, path: string, max: number): AdaptiveElement {
  const current = getPath(args, parsePath(path));
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

const safeUrl = (url: string): boolean => /^https?:\/\/[^\s<>"]+$/.test(url) && url.length <= 2000;

function safeJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}
