import type { KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { renderApprovalCard } from '../../../adapters/slack/render-approval-card.js';
import { renderAdaptiveCard } from '../../../adapters/teams/render-adaptive-card.js';
import type { Action, Review } from '../../../src/domain/action.js';
import { approvalCard, cardFor, groupNameForRound, type ApprovalCard } from '../../../src/domain/approval-card.js';
import type { Policy, ReviewerGroup, ToolPolicy } from '../../../src/domain/policy-model.js';
import { pendingAction, refundTool } from '../../support/action-fixture.js';

const FINANCE: ReviewerGroup = { name: 'finance', maxPending: 100, chat: new Map() };
const LEADS: ReviewerGroup = { name: 'finance-leads', maxPending: 100, chat: new Map() };

const tool = refundTool;

function policyWith(t: ToolPolicy, groups: ReviewerGroup[]): Policy {
  return {
    tools: new Map([[t.name, t]]),
    tenants: new Map([['acme', { id: 'acme', reviewerGroups: new Map(groups.map((g) => [g.name, g])) }]]),
  } as unknown as Policy;
}

const at = new Date('2030-01-02T03:00:00Z');
const review = (userId: string, decision: 'approve' | 'deny', over: Partial<Review> = {}): Review => ({
  reviewer: { platform: 'slack', userId, teamId: 'T1' },
  decision,
  at,
  round: 0,
  argsVersion: 1,
  argsSha256: 'h',
  ...over,
});

const text = (parts: unknown): string => JSON.stringify(parts);

describe('the approval card model', () => {
  it('gives a pending round buttons bound to the argument version shown, and a decided one none', () => {
    const pending = approvalCard({ action: pendingAction({ argsVersion: 3 }), tool: tool({ editable: ['amount'] }), group: FINANCE });
    expect(pending.buttons).toMatchObject({ actionId: pendingAction().id, round: 0, argsVersion: 3, editable: ['amount'] });
    const approved = approvalCard({ action: pendingAction({ status: 'approved', decidedAt: at, reviews: [review('U0A', 'approve')] }), tool: tool(), group: FINANCE });
    expect(approved.buttons).toBeUndefined();
    expect(approved.tone).toBe('approved');
    expect(approved.blocks[0]).toMatchObject({ kind: 'outcome', outcome: 'approved' });
  });

  it('makes an irreversible action loud: its tone, a warning and a confirmation before approving', () => {
    const card = approvalCard({ action: pendingAction({ effects: ['irreversible'] }), tool: tool(), group: FINANCE });
    expect(card.tone).toBe('irreversible');
    expect(card.title.lead).toBe('IRREVERSIBLE action needs approval');
    expect(card.blocks.some((b) => b.kind === 'warning')).toBe(true);
    expect(card.buttons?.approveConfirm?.text).toContain('cannot be undone');
  });

  it.each([
    ['denies', tool({ onTimeout: 'deny' }), [FINANCE, LEADS], 0, 'the action is denied.'],
    ['falls back', tool({ onTimeout: 'fallback' }), [FINANCE, LEADS], 0, 'falls back to '],
    ['denies a fallback whose safest mode is off', tool({ onTimeout: 'fallback' }, { safestMode: 'off' }), [FINANCE], 0, 'the action is denied.'],
    ['escalates', tool({ onTimeout: 'escalate', escalateTo: 'finance-leads' }), [FINANCE, LEADS], 0, 'it is escalated to '],
    ['denies after one escalation', tool({ onTimeout: 'escalate', escalateTo: 'finance-leads' }), [FINANCE, LEADS], 1, 'the action is denied.'],
    ['denies when the escalation group is gone from the policy', tool({ onTimeout: 'escalate', escalateTo: 'finance-leads' }), [FINANCE], 0, 'the action is denied.'],
  ] as const)('says what the deadline does as the expiry does it: %s', (_, t, groups, round, expected) => {
    const action = pendingAction({ round, escalated: round > 0, reviewerGroup: round > 0 ? 'finance-leads' : 'finance' });
    const content = cardFor(policyWith(t, [...groups]), action);
    expect(text(content?.card.blocks)).toContain(expected);
  });

  it('shows an escalated action’s first card in its first group and its new card in the escalation group', () => {
    const t = tool({ onTimeout: 'escalate', escalateTo: 'finance-leads' });
    const escalated = pendingAction({ round: 1, escalated: true, reviewerGroup: 'finance-leads' });
    expect(groupNameForRound(escalated, t, 0)).toBe('finance');
    expect(groupNameForRound(escalated, t, 1)).toBe('finance-leads');
    const policy = policyWith(t, [FINANCE, LEADS]);
    expect(cardFor(policy, escalated, 0)).toMatchObject({ group: { name: 'finance' }, card: { tone: 'escalated' } });
    expect(cardFor(policy, escalated, 1)).toMatchObject({ group: { name: 'finance-leads' }, card: { tone: 'pending' } });
  });

  it('has no card for a round whose group the policy no longer has', () => {
    expect(cardFor(policyWith(tool(), [LEADS]), pendingAction())).toBeUndefined();
  });
});

/** Every string a card carries, in the order it shows: what each surface must show in its own format. */
function contentOf(card: ApprovalCard): string[] {
  const words: string[] = [card.title.lead];
  const line = (l: unknown[]) => l.forEach((p) => typeof p === 'string' && p.trim().length > 2 && words.push(p.trim()));
  for (const b of card.blocks) {
    if (b.kind === 'warning') words.push('IRREVERSIBLE');
    if (b.kind === 'outcome') {
      line(b.headline);
      if (b.reason) words.push(b.reason);
    }
    if (b.kind === 'facts') b.facts.forEach((f) => words.push(f.label));
    if (b.kind === 'quote' || b.kind === 'text') words.push(b.title, b.text);
    if (b.kind === 'list') words.push(b.title, ...b.items);
    if (b.kind === 'args') words.push(...Object.keys(b.args));
    if (b.kind === 'lines') {
      if (b.title) words.push(b.title);
      b.lines.forEach(line);
    }
  }
  return words;
}

/** What a person reads: every text on the surface, with each surface's escaping undone. */
const slackText = (blocks: KnownBlock[]): string => JSON.stringify(blocks).replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>');
const teamsText = (card: unknown): string => JSON.stringify(card).replace(/\\\\(.)/g, '$1');

const CASES: [string, Partial<Action>, ToolPolicy][] = [
  ['a pending approval', {}, tool()],
  ['an irreversible one', { effects: ['irreversible', 'financial'] }, tool({ editable: ['amount'] })],
  ['a quorum in progress', { requiredApprovals: 2, reviews: [review('U0A', 'approve')] }, tool({ required: 2 })],
  [
    'edited arguments',
    {
      argsVersion: 2,
      approvedArgs: { customer: 'cus_42', amount: 900, currency: 'EUR' },
      argsEdits: [{ version: 2, by: { platform: 'slack', userId: 'U0A', teamId: 'T1', name: 'Ann' }, at, changes: [{ path: 'amount', from: 1200, to: 900 }] }],
    },
    tool({ editable: ['amount'] }),
  ],
  ['an approval', { status: 'approved', decidedAt: at, reviews: [review('U0A', 'approve', { reason: 'checked the invoice' })] }, tool()],
  ['a denial', { status: 'denied', decidedAt: at, reviews: [review('U0B', 'deny', { reason: 'already refunded by hand' })] }, tool()],
  ['an expiry', { status: 'expired', decision: 'deny', decidedAt: at, outcomeDetail: 'no decision before the deadline; denied' }, tool()],
  ['a fallback', { status: 'expired', decision: 'fallback', decidedAt: at, outcomeDetail: 'fell back to draft_write' }, tool({ onTimeout: 'fallback' })],
  ['an admin override', { status: 'decided', decision: 'constrain', decidedAt: at, outcomeDetail: 'mode set by an admin' }, tool()],
];

describe('one card on every surface', () => {
  it.each(CASES)('shows every part of %s on Slack and on Teams', (_, over, t) => {
    const card = approvalCard({ action: pendingAction(over), tool: t, group: FINANCE });
    const slack = slackText(renderApprovalCard(card).blocks);
    const teams = teamsText(renderAdaptiveCard(card, { buttons: true }));
    for (const word of contentOf(card)) {
      expect(slack, `Slack shows "${word}"`).toContain(word);
      expect(teams, `Teams shows "${word}"`).toContain(word);
    }
    const buttons = card.buttons ? ['Approve', 'Deny', ...(card.buttons.editable.length > 0 ? ['Approve with changes'] : [])] : [];
    for (const title of buttons) {
      expect(slack).toContain(`"text":"${title}"`);
      expect(teams).toContain(`"title":"${title}"`);
    }
    if (!card.buttons) {
      expect(slack).not.toContain('"type":"actions"');
      expect(teams).not.toContain('Action.Execute');
    }
  });
});
