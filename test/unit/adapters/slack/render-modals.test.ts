import type { InputBlock, PlainTextInput } from '@slack/types';
import { describe, expect, it } from 'vitest';
import {
  APPROVE_EDIT_MODAL_CALLBACK_ID,
  DENY_MODAL_CALLBACK_ID,
  EDIT_VALUE_ACTION_ID,
  REASON_ACTION_ID,
  REASON_BLOCK_ID,
  editBlockId,
  editPathOf,
} from '../../../../adapters/slack/card-ids.js';
import { renderApproveEditModal, renderDenyModal } from '../../../../adapters/slack/render-modals.js';
import type { Action } from '../../../../src/domain/action.js';
import { redactArgs } from '../../../../src/domain/redact.js';
import { assertModalWithinLimits } from '../../../support/block-kit-limits.js';

function action(args: Record<string, unknown>, overrides: Partial<Action> = {}): Action {
  return {
    id: 'a1b2c3d4-0000-4000-8000-000000000001',
    tenant: 'acme',
    agent: 'billing-bot',
    tool: 'send_email',
    status: 'pending',
    decision: 'queue_for_approval',
    mode: 'approval_required',
    reasons: [],
    rule: 'tools.send_email',
    hardBoundary: 'passed',
    policyVersion: 'abc.1',
    args,
    argsSha256: '0'.repeat(64),
    submittedArgsDigest: '1'.repeat(64),
    argsVersion: 1,
    argsEdits: [],
    redact: [],
    cardPlatforms: [],
    requester: { id: 'U0REQ' },
    environment: 'production',
    context: {},
    risk: 'medium',
    effects: ['external_effect'],
    escalated: false,
    round: 0,
    approvals: [],
    createdAt: new Date(0),
    reviews: [],
    ...overrides,
  };
}

const inputs = (blocks: unknown[]) => blocks.filter((b): b is InputBlock => (b as InputBlock).type === 'input');
const input = (blocks: unknown[], blockId: string) => inputs(blocks).find((b) => b.block_id === blockId);
const element = (block: InputBlock | undefined) => block?.element as PlainTextInput | undefined;

describe('renderDenyModal', () => {
  it('asks for a required reason and carries the callback metadata', () => {
    const view = renderDenyModal('a1', '{"action":"a1","channel":"C1","ts":"1.2"}');
    expect(view).toMatchObject({ type: 'modal', callback_id: DENY_MODAL_CALLBACK_ID, private_metadata: '{"action":"a1","channel":"C1","ts":"1.2"}' });
    const reason = input(view.blocks, REASON_BLOCK_ID);
    expect(reason?.optional).toBe(false);
    expect(element(reason)).toMatchObject({ type: 'plain_text_input', action_id: REASON_ACTION_ID, multiline: true, max_length: 2000 });
    assertModalWithinLimits(view);
  });
});

describe('renderApproveEditModal', () => {
  it('offers one prefilled input per editable argument, and an optional reason', () => {
    const a = action({ to: 'ops@acme.test', subject: 'Invoice', limits: { max: 3 }, count: 7 });
    const view = renderApproveEditModal(a, ['to', 'limits', 'count', 'cc'], 'meta');
    expect(view).toMatchObject({ callback_id: APPROVE_EDIT_MODAL_CALLBACK_ID, private_metadata: 'meta' });
    expect(inputs(view.blocks).map((b) => b.block_id)).toEqual(['edit:to', 'edit:limits', 'edit:count', 'edit:cc', REASON_BLOCK_ID]);
    expect(element(input(view.blocks, 'edit:to'))).toMatchObject({ action_id: EDIT_VALUE_ACTION_ID, initial_value: 'ops@acme.test' });
    expect(element(input(view.blocks, 'edit:limits'))?.initial_value).toBe('{"max":3}');
    expect(element(input(view.blocks, 'edit:count'))?.initial_value).toBe('7');
    expect(element(input(view.blocks, 'edit:cc'))?.initial_value).toBeUndefined();
    expect(input(view.blocks, REASON_BLOCK_ID)?.optional).toBe(true);
    expect(editPathOf(editBlockId('limits'))).toBe('limits');
    assertModalWithinLimits(view);
  });

  it('never prefills a redacted value, so an unedited submit cannot send the mask back', () => {
    const args = redactArgs({ api_key: 'sk_live_secret', auth: { user: 'svc', password: 'hunter2' } }, ['api_key', 'auth.password']);
    const view = renderApproveEditModal(action(args), ['api_key', 'auth'], 'meta');
    for (const path of ['api_key', 'auth']) {
      const block = input(view.blocks, editBlockId(path));
      expect(element(block)?.initial_value).toBeUndefined();
      expect(block?.hint?.text).toContain('redacted');
    }
    expect(JSON.stringify(view)).not.toContain('hunter2');
  });

  it('does not prefill a value too long for the input rather than cutting it', () => {
    const view = renderApproveEditModal(action({ body: 'x'.repeat(5000) }), ['body'], 'meta');
    const block = input(view.blocks, 'edit:body');
    expect(element(block)?.initial_value).toBeUndefined();
    expect(block?.hint?.text).toContain('too long');
    assertModalWithinLimits(view);
  });

  it('warns loudly about irreversible actions', () => {
    const view = renderApproveEditModal(action({ to: 'x' }, { effects: ['irreversible'] }), ['to'], 'meta');
    expect(JSON.stringify(view.blocks)).toContain(':rotating_light: *IRREVERSIBLE*');
  });

  it('stays within Block Kit limits for hundreds of editable paths, long paths and hostile ids', () => {
    const paths = [...Array.from({ length: 300 }, (_, i) => `field_${i}`), 'p'.repeat(3000), 'field_1'];
    const args = Object.fromEntries(paths.map((p, i) => [p, i % 2 ? `<!channel> ${'v'.repeat(i * 20)}` : { nested: i }]));
    const view = renderApproveEditModal(action(args, { id: '`<!channel>`'.repeat(100), tool: 'x'.repeat(5000) }), paths, 'meta');
    assertModalWithinLimits(view);
    expect(input(view.blocks, REASON_BLOCK_ID)).toBeDefined();
  });
});
