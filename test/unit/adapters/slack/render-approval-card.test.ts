import type { ActionsBlock, Button, KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { slackCard, type CardInput as ApprovalCardInput, type CardState } from '../../../support/card-input.js';
import {
  APPROVE_ACTION_ID,
  APPROVE_EDIT_ACTION_ID,
  AUDIT_LINK_ACTION_ID,
  DENY_ACTION_ID,
  REVIEW_BLOCK_ID,
} from '../../../../adapters/slack/card-ids.js';
import type { Action } from '../../../../src/domain/action.js';
import type { ToolPolicy } from '../../../../src/domain/policy-model.js';
import { REDACTED, redactArgs } from '../../../../src/domain/redact.js';
import { assertMessageWithinLimits } from '../../../support/block-kit-limits.js';
import { pendingAction, refundTool } from '../../../support/action-fixture.js';

const EXPIRES = new Date('2030-01-02T03:04:05.000Z');
const PENDING: CardState = { kind: 'pending', approvals: [] };

const action = (overrides: Partial<Action> = {}): Action => pendingAction({ expiresAt: EXPIRES, ...overrides });

const tool = refundTool;

function render(input: Partial<ApprovalCardInput> = {}) {
  return slackCard({ action: action(), tool: tool(), reviewerGroupName: 'finance', state: PENDING, ...input });
}

type TextObject = { type: 'mrkdwn' | 'plain_text'; text: string; verbatim?: boolean };

/** Every text object anywhere in the blocks: what Slack displays (and, for `mrkdwn`, parses). */
function textObjects(blocks: KnownBlock[]): TextObject[] {
  const found: TextObject[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const obj = node as Record<string, unknown>;
      if ((obj.type === 'mrkdwn' || obj.type === 'plain_text') && typeof obj.text === 'string') found.push(obj as TextObject);
      Object.values(obj).forEach(walk);
    }
  };
  walk(blocks);
  return found;
}

const texts = (blocks: KnownBlock[], only?: 'mrkdwn') =>
  textObjects(blocks)
    .filter((t) => !only || t.type === only)
    .map((t) => t.text);
const allText = (blocks: KnownBlock[]) => texts(blocks).join('\n');
const actionsBlock = (blocks: KnownBlock[]) => blocks.find((b): b is ActionsBlock => b.type === 'actions');
const button = (blocks: KnownBlock[], actionId: string) =>
  actionsBlock(blocks)?.elements.find((e): e is Button => e.type === 'button' && e.action_id === actionId);

describe('renderApprovalCard', () => {
  it('shows every fact a reviewer needs to decide', () => {
    const text = allText(render().blocks);
    for (const expected of [
      'a1b2c3d4-0000-4000-8000-000000000001',
      'issue_refund',
      'U0REQ',
      'Jane Roe',
      'jane@acme.test',
      'billing-bot',
      'acme',
      'support-refunds',
      'production',
      'Refund the duplicate charge on invoice 991',
      'Refunds 1200 EUR to customer cus_42',
      'high',
      'financial',
      'external_effect',
      'tool issue_refund requires approval',
      'amount 1200 is over the 500 limit',
      '"customer": "cus_42"',
      '"amount": 1200',
      'finance',
    ]) {
      expect(text).toContain(expected);
    }
  });

  it('shows the deadline in each reader’s time zone and what happens when nobody decides', () => {
    const text = allText(render().blocks);
    expect(text).toContain(`<!date^${EXPIRES.getTime() / 1000}^{date_short_pretty} {time}|2030-01-02T03:04:05.000Z>`);
    expect(text).toContain('If nobody decides by then:* the action is denied.');
  });

  it.each([
    ['denies', tool({ onTimeout: 'deny' }), false, 'the action is denied.'],
    ['falls back to the safest mode', tool({ onTimeout: 'fallback' }), false, 'falls back to `draft_write` mode'],
    ['escalates', tool({ onTimeout: 'escalate', escalateTo: 'finance-leads' }), false, 'escalated to finance-leads'],
    ['denies after one escalation', tool({ onTimeout: 'escalate', escalateTo: 'finance-leads' }), true, 'the action is denied.'],
    ['denies when the tool is no longer in the policy', undefined, false, 'the action is denied.'],
  ])('says the action %s on timeout', (_, t, escalated, expected) => {
    expect(allText(render({ tool: t, action: action({ escalated, round: escalated ? 1 : 0 }) }).blocks)).toContain(expected);
  });

  it('marks irreversible actions loudly and asks for confirmation before approving them', () => {
    const { blocks, text } = render({ action: action({ effects: ['financial', 'irreversible'] }) });
    const header = blocks[0];
    expect(header?.type).toBe('header');
    expect(texts([header!])[0]).toContain(':rotating_light: IRREVERSIBLE');
    expect(allText(blocks)).toContain(':rotating_light: *IRREVERSIBLE*');
    expect(text).toContain('IRREVERSIBLE');
    const confirm = button(blocks, APPROVE_ACTION_ID)?.confirm;
    expect(confirm?.text.text).toContain('cannot be undone');
    expect(confirm?.text.text).toContain('Refunds 1200 EUR to customer cus_42');
  });

  it('offers Approve and Deny that carry the action id and the argument version shown, without a confirm for reversible actions', () => {
    const { blocks } = render();
    expect(actionsBlock(blocks)?.block_id).toBe(REVIEW_BLOCK_ID);
    const approve = button(blocks, APPROVE_ACTION_ID);
    const deny = button(blocks, DENY_ACTION_ID);
    expect(approve).toMatchObject({ style: 'primary', value: `${action().id}@1` });
    expect(approve?.confirm).toBeUndefined();
    expect(deny).toMatchObject({ style: 'danger', value: `${action().id}@1` });
    expect(button(blocks, APPROVE_EDIT_ACTION_ID)).toBeUndefined();
    expect(button(blocks, AUDIT_LINK_ACTION_ID)).toBeUndefined();
  });

  it('offers Approve with changes only when the tool lets reviewers edit arguments', () => {
    const { blocks } = render({ tool: tool({ editable: ['amount'] }) });
    expect(button(blocks, APPROVE_EDIT_ACTION_ID)).toMatchObject({ value: `${action().id}@1` });
  });

  it('links to the audit record when there is one', () => {
    const { blocks } = render({ auditUrl: 'https://airlock.acme.test/actions/a1?view=audit&x=1' });
    expect(button(blocks, AUDIT_LINK_ACTION_ID)).toMatchObject({ url: 'https://airlock.acme.test/actions/a1?view=audit&x=1' });
  });

  it('shows masked arguments and never the secret they held', () => {
    const secret = 'sk_live_DO_NOT_SHOW_7f3a';
    const args = redactArgs({ customer: 'cus_42', card: { token: secret, last4: '4242' } }, ['card.token']);
    const card = render({ action: action({ args }) });
    const everything = JSON.stringify(card);
    expect(allText(card.blocks)).toContain(`"token": "${REDACTED}"`);
    expect(everything).not.toContain(secret);
  });

  it('shows quorum progress with who has approved so far', () => {
    const { blocks } = render({ action: action({ requiredApprovals: 2 }), state: { kind: 'pending', approvals: [{ platform: 'slack', id: 'U0ALICE' }] } });
    expect(allText(blocks)).toContain('1 of 2 approvals: <@U0ALICE>');
    expect(allText(blocks)).toContain('2 approvals needed');
  });

  it('on a decided card shows the outcome, who, when and why, and no buttons', () => {
    const at = new Date('2030-01-02T03:00:00.000Z');
    const { blocks, text } = render({
      state: { kind: 'decided', outcome: 'denied', by: [{ platform: 'slack', id: 'U0BOB' }], at, reason: 'Customer already refunded by hand' },
      auditUrl: 'https://airlock.acme.test/actions/a1',
    });
    expect(actionsBlock(blocks)).toBeUndefined();
    expect(texts([blocks[0]!])[0]).toContain('Denied');
    const shown = allText(blocks);
    expect(shown).toContain('*Denied* by <@U0BOB>');
    expect(shown).toContain(`<!date^${at.getTime() / 1000}^`);
    expect(shown).toContain('Customer already refunded by hand');
    expect(shown).toContain('<https://airlock.acme.test/actions/a1|Audit record>');
    expect(shown).not.toContain('If nobody decides');
    expect(text).toContain('Denied by <@U0BOB>');
  });

  it.each(['approved', 'expired', 'fallback', 'constrained', 'escalated'] as const)('on a %s card states the outcome with its detail', (outcome) => {
    const { blocks } = render({ state: { kind: 'decided', outcome, by: [], at: new Date(0), detail: 'The agent fell back to draft_write' } });
    expect(actionsBlock(blocks)).toBeUndefined();
    expect(allText(blocks)).toContain('The agent fell back to draft_write');
    assertMessageWithinLimits(render({ state: { kind: 'decided', outcome, by: [], at: new Date(0) } }));
  });

  describe('with hostile input', () => {
    const huge = (n: number, seed: string) => seed.repeat(Math.ceil(n / seed.length)).slice(0, n);
    const nested = (depth: number): Record<string, unknown> => {
      let node: Record<string, unknown> = { leaf: '<!here>' };
      for (let i = 0; i < depth; i++) node = { [`level${i}`]: node };
      return node;
    };
    const wideArgs = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`key_${i}_<!channel>`, `value ${i} \`\`\` & <@U1>`]));
    const hostile = action({
      id: 'a1b2c3d4-0000-4000-8000-000000000002',
      tool: huge(300, 'tool_<!channel>_'),
      agent: huge(5000, 'agent`*_'),
      tenant: huge(5000, 'tenant\n'),
      summary: `<!channel> *urgent* @here \`\`\` ${huge(100_000, 'summary <@U1> & ')}`,
      consequence: huge(100_000, 'consequence <!everyone> '),
      reasons: Array.from({ length: 10_000 }, (_, i) => `reason ${i} <!channel> ${huge(400, 'x')}`),
      requester: { id: huge(10_000, 'U'), display: `<@U1> ${huge(10_000, 'd')}`, email: huge(10_000, 'e@<x>') },
      workflow: huge(10_000, '```'),
      environment: huge(10_000, '&'),
      args: { ...wideArgs, deep: nested(5000), blob: huge(100_000, '```<!channel>') },
      effects: ['irreversible', 'financial', 'external_effect', 'production_write', 'permission_change', 'sensitive_read'],
      requiredApprovals: 10,
      policyVersion: huge(5000, 'v'),
      rule: huge(5000, 'r'),
    });
    const hostileTool = tool({ editable: ['amount'], onTimeout: 'escalate', escalateTo: huge(5000, '<!channel>') });
    const approvals = Array.from({ length: 500 }, (_, i) => ({ platform: 'teams', id: `id-${i}`, name: `<!channel> reviewer ${i} ${huge(1000, 'n')}` }));

    it('stays within Block Kit limits while pending', () => {
      const card = slackCard({
        action: hostile,
        tool: hostileTool,
        reviewerGroupName: huge(5000, 'group<!channel>'),
        auditUrl: `https://airlock.acme.test/${huge(4000, 'a')}`,
        state: { kind: 'pending', approvals },
      });
      assertMessageWithinLimits(card);
    });

    it('stays within Block Kit limits once decided', () => {
      const card = slackCard({
        action: hostile,
        tool: hostileTool,
        reviewerGroupName: 'finance',
        auditUrl: 'https://airlock.acme.test/actions/a2',
        state: { kind: 'decided', outcome: 'denied', by: approvals, at: new Date(0), reason: huge(100_000, 'why '), detail: huge(100_000, 'detail ') },
      });
      assertMessageWithinLimits(card);
    });

    it('never lets untrusted text mention anyone or break its formatting', () => {
      const card = slackCard({ action: hostile, tool: hostileTool, reviewerGroupName: '<!subteam^S1>', state: { kind: 'pending', approvals } });
      // Slack parses `<…>` in mrkdwn and in the notification text, never in plain_text.
      for (const t of [...texts(card.blocks, 'mrkdwn'), card.text]) {
        // The only Slack syntax left is what the renderer writes itself: dates and links.
        expect(t).not.toMatch(/<(?!!date\^\d+\^|https:\/\/)/);
      }
      expect(allText(card.blocks)).toContain('&lt;!channel&gt; *urgent*');
      // An odd number of fences would leave the rest of the card inside a code block.
      const args = texts(card.blocks).find((t) => t.startsWith('*Arguments*'))!;
      expect(args.match(/```/g)).toHaveLength(2);
      expect(args).toMatch(/…\n```$/);
      // Without verbatim Slack would turn a bare @here or #channel in untrusted text into a mention or link.
      expect(textObjects(card.blocks).filter((t) => t.type === 'mrkdwn' && t.verbatim !== true)).toEqual([]);
    });
  });
});
