import { describe, expect, it } from 'vitest';
import { escapeMarkdown, md, neutralize } from '../../../../adapters/teams/adaptive-text.js';
import { APPROVE_REASON_INPUT, DENY_REASON_INPUT, VERB_APPROVE, VERB_APPROVE_EDIT, VERB_DENY, VERB_REFRESH } from '../../../../adapters/teams/card-ids.js';
import { sharedView, viewFor } from '../../../../adapters/teams/card-views.js';
import { parseCardAction } from '../../../../adapters/teams/parse-activity.js';
import { CARD_MAX_BYTES, type AdaptiveCard } from '../../../../adapters/teams/render-adaptive-card.js';
import { teamsCard as renderAdaptiveCard, type CardInput as ApprovalCardInput } from '../../../support/card-input.js';
import type { Action } from '../../../../src/domain/action.js';
import type { CardState } from '../../../../src/domain/card-state.js';
import type { ReviewerGroup, ToolPolicy } from '../../../../src/domain/policy-model.js';
import { REDACTED, redactArgs } from '../../../../src/domain/redact.js';
import { pendingAction, refundTool } from '../../../support/action-fixture.js';

const EXPIRES = new Date('2030-01-02T03:04:05.000Z');
const PENDING: CardState = { kind: 'pending', approvals: [] };
const MEMBER_VIEW = { buttons: true };

const action = (overrides: Partial<Action> = {}): Action => pendingAction({ expiresAt: EXPIRES, ...overrides });

const tool = refundTool;

const input = (over: Partial<ApprovalCardInput> = {}): ApprovalCardInput => ({ action: action(), tool: tool(), reviewerGroupName: 'finance', state: PENDING, ...over });

/** Every text a reader sees: TextBlock texts, fact titles and values, titles, labels, placeholders, the notification text. */
function texts(card: unknown, keys = ['text', 'title', 'value', 'label', 'placeholder', 'fallbackText']): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (v === null || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v)) {
      if (typeof x === 'string' && keys.includes(k)) out.push(x);
      else walk(x);
    }
  };
  walk(card);
  return out;
}

const bytes = (card: AdaptiveCard) => Buffer.byteLength(JSON.stringify(card), 'utf8');
const executes = (card: AdaptiveCard): Record<string, any>[] => {
  const found: Record<string, any>[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (v === null || typeof v !== 'object') return;
    if ((v as { type?: unknown }).type === 'Action.Execute') found.push(v as Record<string, any>);
    Object.values(v).forEach(walk);
  };
  walk(card.actions);
  return found;
};

describe('Teams approval card', () => {
  it('shows what a reviewer needs to decide, as an Adaptive Card 1.5', () => {
    const card = renderAdaptiveCard(input(), MEMBER_VIEW);
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.5' });
    const all = texts(card).join('\n');
    for (const fact of ['a1b2c3d4', 'issue\\_refund', 'Jane Roe', 'billing\\-bot', 'acme', 'support\\-refunds', 'production', 'high', 'financial', 'finance']) {
      expect(all).toContain(fact);
    }
    expect(all).toContain('Refund the duplicate charge on invoice 991');
    expect(all).toContain('Refunds 1200 EUR to customer cus\\_42');
    expect(all).toContain('amount 1200 is over the 500 limit');
    expect(all).toContain('{{DATE(2030-01-02T03:04:05Z, SHORT)}}');
    expect(all).toContain('the action is denied\\.');
  });

  it('has Approve and Deny (a required reason) as Action.Execute, and Approve with changes for editable tools', () => {
    const card = renderAdaptiveCard(input({ tool: tool({ editable: ['amount'] }) }), MEMBER_VIEW);
    expect(card.actions!.map((a) => a.title)).toEqual(['Approve', 'Deny', 'Approve with changes']);
    const verbs = executes(card).map((e) => [e.title, e.verb, e.data]);
    expect(verbs).toEqual([
      ['Approve', VERB_APPROVE, { actionId: action().id, round: 0, argsVersion: 1 }],
      ['Deny', VERB_DENY, { actionId: action().id, round: 0, argsVersion: 1 }],
      ['Approve with changes', VERB_APPROVE_EDIT, { actionId: action().id, round: 0, argsVersion: 1 }],
    ]);
    const deny = (card.actions![1] as any).card.body[0];
    expect(deny).toMatchObject({ type: 'Input.Text', id: DENY_REASON_INPUT, isRequired: true });
    const edit = (card.actions![2] as any).card.body;
    expect(edit.map((i: any) => i.id)).toEqual(['edit:amount', APPROVE_REASON_INPUT]);
    expect(edit[0].value).toBe('1200');
    expect(renderAdaptiveCard(input(), MEMBER_VIEW).actions!.map((a) => a.title)).toEqual(['Approve', 'Deny']);
  });

  it('never prefills an edit with a redacted value', () => {
    const a = action({ args: redactArgs({ to: 'x@y.z', body: 'secret text' }, ['body']) });
    const card = renderAdaptiveCard(input({ action: a, tool: tool({ editable: ['body', 'to'] }) }), MEMBER_VIEW);
    const [body, to] = (card.actions![2] as any).card.body;
    expect(body.value).toBeUndefined();
    expect(body.placeholder).toContain('redacted');
    expect(to.value).toBe('x@y.z');
    expect(JSON.stringify(card)).not.toContain('secret text');
    expect(texts(card).join('\n')).toContain(REDACTED.replace(/[[\]]/g, (c) => `\\${c}`));
  });

  it('makes irreversible actions loud', () => {
    const card = renderAdaptiveCard(input({ action: action({ effects: ['irreversible', 'external_effect'] }) }), MEMBER_VIEW);
    const all = texts(card).join('\n');
    expect(all).toContain('IRREVERSIBLE action needs approval');
    expect(all).toContain('once approved, this action cannot be undone');
    expect(all).toContain('🚨 **IRREVERSIBLE**, external\\_effect');
  });

  it('renders decided, escalated and expired cards without buttons', () => {
    const states: CardState[] = [
      { kind: 'decided', outcome: 'approved', by: [{ platform: 'teams', id: 'aad-1', name: 'Lea Lead' }], at: EXPIRES, reason: 'fine' },
      { kind: 'decided', outcome: 'denied', by: [{ platform: 'slack', id: 'U0LEAD' }], at: EXPIRES, reason: 'no' },
      { kind: 'decided', outcome: 'escalated', by: [], at: EXPIRES, detail: 'escalated to security' },
      { kind: 'decided', outcome: 'expired', by: [], at: EXPIRES },
      { kind: 'decided', outcome: 'fallback', by: [], at: EXPIRES },
      { kind: 'decided', outcome: 'constrained', by: [], at: EXPIRES },
    ];
    for (const state of states) {
      const card = renderAdaptiveCard(input({ state, tool: tool({ editable: ['amount'] }) }), { buttons: true, refreshUserIds: ['8:orgid:x'] });
      expect(executes(card)).toEqual([]);
      expect(card.refresh).toBeUndefined();
    }
    const denied = texts(renderAdaptiveCard(input({ state: states[1] }), MEMBER_VIEW)).join('\n');
    expect(denied).toContain('Denied** by Slack user U0LEAD');
  });

  it('escapes Adaptive Card markdown in every untrusted text', () => {
    const hostile = '**bold** _it_ [click](https://evil.example) <at>Everyone</at> # head\n- item\n1. one `code` {{DATE(2030-01-01T00:00:00Z)}} &amp; \\';
    const a = action({ summary: hostile, consequence: hostile, reasons: [hostile], tool: hostile, agent: hostile, requester: { id: hostile, display: hostile }, args: { [hostile]: hostile } });
    const card = renderAdaptiveCard(input({ action: a, reviewerGroupName: hostile }), MEMBER_VIEW);
    // Markdown is rendered in TextBlocks and facts; labels, placeholders and the notification text are plain text.
    const all = texts(card, ['text', 'title', 'value']).join('\n');
    expect(all).not.toMatch(/(^|[^\\])\*\*bold/);
    expect(all).not.toMatch(/(^|[^\\])\[click\]/);
    expect(all).not.toMatch(/(^|[^\\])<at>/);
    expect(all).not.toMatch(/(^|[^\\])\{\{DATE\(2030-01-01/);
    expect(all).toContain('\\*\\*bold\\*\\*');
    expect(escapeMarkdown('a_b')).toBe('a\\_b');
  });

  it('makes bidi controls and zero-width characters visible in every text', () => {
    const sneaky = 'refund\u202E01 EUR\u2066x\u2069\u200Bok\uFEFF\u200D';
    const a = action({ summary: sneaky, consequence: sneaky, reasons: [sneaky], tool: sneaky, requester: { id: sneaky, display: sneaky, email: sneaky }, workflow: sneaky, args: { [sneaky]: sneaky } });
    const card = renderAdaptiveCard(input({ action: a, reviewerGroupName: sneaky, tool: tool({ editable: [sneaky] }) }), MEMBER_VIEW);
    const all = texts(card).join('\n');
    expect(all).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200B-\u200F\uFEFF]/);
    expect(all).toContain('U+202E');
    expect(all).toContain('U+200B');
    expect(neutralize('a\u202Eb')).toBe('a[U+202E]b');
  });

  it('stays under the Teams message limit with huge input', () => {
    const long = 'x'.repeat(100_000);
    const wide = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`key_${i}`, long]));
    let deep: Record<string, unknown> = { leaf: long };
    for (let i = 0; i < 500; i++) deep = { d: deep };
    const a = action({ summary: long, consequence: long, reasons: Array.from({ length: 1000 }, () => long), args: { ...wide, deep }, requester: { id: long, display: long, email: long }, tool: long, workflow: long, agent: long });
    const card = renderAdaptiveCard(input({ action: a, reviewerGroupName: long, tool: tool({ editable: Array.from({ length: 50 }, (_, i) => `key_${i}`) }) }), MEMBER_VIEW);
    expect(bytes(card)).toBeLessThanOrEqual(CARD_MAX_BYTES);
    expect(card.actions!.map((x) => x.title)).toEqual(['Approve', 'Deny', 'Approve with changes']);
  });

  it('stays under the limit when every character is escaped or multi-byte', () => {
    const worst = '*'.repeat(50_000);
    const emoji = '🚨'.repeat(50_000);
    for (const s of [worst, emoji, '\u202E'.repeat(50_000)]) {
      const a = action({ summary: s, consequence: s, reasons: [s, s, s], args: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`${s.slice(0, 50)}${i}`, s])) });
      expect(bytes(renderAdaptiveCard(input({ action: a }), MEMBER_VIEW))).toBeLessThanOrEqual(CARD_MAX_BYTES);
    }
  });

  it('is pure: the same input gives the same card', () => {
    expect(renderAdaptiveCard(input(), MEMBER_VIEW)).toEqual(renderAdaptiveCard(input(), MEMBER_VIEW));
  });

  it('shows a quorum in progress', () => {
    const card = renderAdaptiveCard(input({ action: action({ requiredApprovals: 2 }), state: { kind: 'pending', approvals: [{ platform: 'teams', id: 'aad-1', name: 'Lea Lead' }] } }), MEMBER_VIEW);
    expect(texts(card).join('\n')).toContain('1 of 2 approvals: Lea Lead');
  });

  it('does not cut a string in half a surrogate pair or leave a dangling escape', () => {
    expect(md('a'.repeat(10) + '*'.repeat(10), 15)).not.toMatch(/[^\\]\\…$/);
    expect(md('🚨'.repeat(20), 9)).not.toMatch(/[\uD800-\uDBFF]…$/);
  });
});

describe('Teams card views (refresh model)', () => {
  const group = (users: string[]): ReviewerGroup => ({ name: 'leads', maxPending: 500, chat: new Map([['teams', { place: '19:x@thread.tacv2', users }]]) });

  it('gives everyone a read-only card and the listed users a refresh to their own view', () => {
    const shared = sharedView(group(['aad-1', 'aad-2']));
    expect(shared).toEqual({ buttons: false, refreshUserIds: ['8:orgid:aad-1', '8:orgid:aad-2'] });
    const card = renderAdaptiveCard(input(), shared);
    expect(card.actions).toBeUndefined();
    expect(card.refresh).toMatchObject({ action: { type: 'Action.Execute', verb: VERB_REFRESH, data: { actionId: action().id, round: 0 } }, userIds: ['8:orgid:aad-1', '8:orgid:aad-2'] });
    expect(viewFor(group(['aad-1']), 'aad-1').buttons).toBe(true);
    expect(viewFor(group(['aad-1']), 'aad-9').buttons).toBe(false);
  });

  it('puts the buttons on the shared card when the group is too large for refresh (over 60)', () => {
    const many = Array.from({ length: 61 }, (_, i) => `aad-${i}`);
    expect(sharedView(group(many))).toEqual({ buttons: true });
  });
});

describe('Teams card clicks parsing', () => {
  const invoke = (verb: string, data: Record<string, unknown>) => ({ type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb, data } } });

  it('reads the verb, the action, the reason and only non-empty edits', () => {
    expect(parseCardAction(invoke(VERB_DENY, { actionId: 'a1', round: 1, [DENY_REASON_INPUT]: 'no' }))).toEqual({ verb: 'deny', actionId: 'a1', round: 1, argsVersion: 1, reason: 'no' });
    expect(parseCardAction(invoke(VERB_APPROVE_EDIT, { actionId: 'a1', round: 0, 'edit:subject': 'Hi', 'edit:to': '', [APPROVE_REASON_INPUT]: 'ok' }))).toEqual({
      verb: 'approve',
      actionId: 'a1',
      round: 0,
      argsVersion: 1,
      reason: 'ok',
      edits: { subject: 'Hi' },
    });
  });

  it('ignores anything that is not one of our card actions', () => {
    expect(parseCardAction(invoke('someone.else', { actionId: 'a1', round: 0 }))).toBeUndefined();
    expect(parseCardAction(invoke(VERB_APPROVE, { round: 0 }))).toBeUndefined();
    expect(parseCardAction(invoke(VERB_APPROVE, { actionId: 'a1', round: -1 }))).toBeUndefined();
    expect(parseCardAction({ type: 'message' })).toBeUndefined();
  });
});
