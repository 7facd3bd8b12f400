import type { ActionsBlock, Button, ContextBlock, KnownBlock, MrkdwnElement, SectionBlock } from '@slack/types';
import type { ApprovalCard, CardBlock, CardButtons, CardTone } from '../../src/domain/approval-card.js';
import { APPROVE_ACTION_ID, APPROVE_EDIT_ACTION_ID, AUDIT_LINK_ACTION_ID, DENY_ACTION_ID, REVIEW_BLOCK_ID, reviewValue } from './card-ids.js';
import { bulletList, codeBlock, link, mrkdwn, quote, truncate, truncateMrkdwn } from './mrkdwn.js';
import { ICONS, renderLine } from './render-message.js';

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
// Untrusted text inside a line (a name, an id) is cut to this before escaping.
const PART_MAX = 300;

const JSON_MAX_DEPTH = 8;
const JSON_STRING_MAX = 300;

/** The emoji before a card's headline. */
const TONES: Record<CardTone, string> = {
  pending: '',
  irreversible: ICONS.irreversible,
  approved: ':white_check_mark:',
  denied: ':no_entry:',
  expired: ':hourglass:',
  constrained: ':lock:',
  fallback: ':leftwards_arrow_with_hook:',
  escalated: ':arrow_double_up:',
};

/**
 * The approval card as Block Kit: a translation of the core's card, escaped
 * and cut to Slack's limits. Pure: the same card always gives the same
 * blocks, whatever the size or content of its strings.
 */
export function renderApprovalCard(card: ApprovalCard, opts: { auditUrl?: string } = {}): { text: string; blocks: KnownBlock[] } {
  const tone = TONES[card.tone];
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(`${tone ? `${tone} ` : ''}${card.title.lead}: ${card.title.tool}`, HEADER_MAX), emoji: true } },
  ];
  for (const block of card.blocks) {
    blocks.push(...translate(block));
    if (block.kind === 'outcome' && opts.auditUrl) {
      const audit = link(opts.auditUrl, 'Audit record');
      if (audit) blocks.push(context(audit));
    }
  }
  if (card.buttons) blocks.push(buttons(card.buttons, opts.auditUrl));
  const summary = card.notification.summary ? ` — ${mrkdwn(card.notification.summary, FALLBACK_TEXT_MAX)}` : '';
  return { text: truncateMrkdwn(`${renderLine(card.notification.head, PART_MAX)}${summary}`, FALLBACK_TEXT_MAX), blocks };
}

function translate(block: CardBlock): KnownBlock[] {
  switch (block.kind) {
    case 'warning':
      return [section(`${ICONS.irreversible} *${mrkdwn(block.text, 500)}*`)];
    case 'outcome': {
      const lines = [renderLine(block.headline, PART_MAX)];
      if (block.reason) lines.push(`*Reason*\n${quote(block.reason, 1400)}`);
      if (block.detail) lines.push(mrkdwn(block.detail, 1000));
      return [section(lines.join('\n'))];
    }
    case 'facts':
      // A two-column grid: Slack allows ten fields of up to 2000 characters.
      return [
        {
          type: 'section',
          fields: block.facts.slice(0, 10).map((f) => mrkdwnText(truncateMrkdwn(`*${mrkdwn(f.label, 100)}*\n${renderLine(f.value, PART_MAX)}`, FIELD_MAX))),
        },
      ];
    case 'quote':
      return [section(`*${mrkdwn(block.title, 200)}*\n${quote(block.text, SECTION_MAX - 20)}`)];
    case 'text':
      return [section(`*${mrkdwn(block.title, 200)}*\n${mrkdwn(block.text, SECTION_MAX - 20)}`)];
    case 'list':
      return [section(`*${mrkdwn(block.title, 200)}*\n${bulletList(block.items, SECTION_MAX - 40)}`)];
    case 'args':
      return [section(`*${mrkdwn(block.title, 200)}*\n${codeBlock(previewJson(block.args, SECTION_MAX), SECTION_MAX - 80)}`)];
    case 'lines': {
      const body = truncateMrkdwn(block.lines.map((l) => renderLine(l, PART_MAX)).join('\n'), SECTION_MAX - 40);
      return [section(block.title ? `*${mrkdwn(block.title, 200)}*\n${body}` : body)];
    }
    case 'note':
      return [context(renderLine(block.line, PART_MAX))];
  }
}

function buttons(b: CardButtons, auditUrl: string | undefined): ActionsBlock {
  // The version the reviewer is looking at: an approval counts only for the arguments shown.
  const value = reviewValue(b.actionId, b.argsVersion);
  const approve: Button = { type: 'button', action_id: APPROVE_ACTION_ID, text: { type: 'plain_text', text: 'Approve', emoji: true }, style: 'primary', value };
  if (b.approveConfirm) {
    approve.confirm = {
      title: { type: 'plain_text', text: truncate(b.approveConfirm.title, 100) },
      text: { type: 'plain_text', text: truncate(b.approveConfirm.text, CONFIRM_TEXT_MAX) },
      confirm: { type: 'plain_text', text: 'Approve' },
      deny: { type: 'plain_text', text: 'Cancel' },
      style: 'danger',
    };
  }
  const elements: Button[] = [
    approve,
    // Deny opens a modal that asks for the reason, which is confirmation enough.
    { type: 'button', action_id: DENY_ACTION_ID, text: { type: 'plain_text', text: 'Deny' }, style: 'danger', value },
  ];
  if (b.editable.length > 0) {
    elements.push({ type: 'button', action_id: APPROVE_EDIT_ACTION_ID, text: { type: 'plain_text', text: 'Approve with changes' }, value });
  }
  if (auditUrl && auditUrl.length <= BUTTON_URL_MAX) {
    elements.push({ type: 'button', action_id: AUDIT_LINK_ACTION_ID, text: { type: 'plain_text', text: 'Audit record' }, url: auditUrl, value: b.actionId });
  }
  return { type: 'actions', block_id: REVIEW_BLOCK_ID, elements };
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
