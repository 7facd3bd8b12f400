import { describe, expect, it } from 'vitest';
import { classifyTransition, outcomeLabel, type Outcome } from '../../../src/domain/plan-diff.js';

const deny: Outcome = { decision: 'deny', mode: 'off' };
const queue: Outcome = { decision: 'queue_for_approval', mode: 'approval_required' };
const allow: Outcome = { decision: 'allow', mode: 'allow' };
const constrain = (mode: Outcome['mode']): Outcome => ({ decision: 'constrain', mode });
const fallback = (mode: Outcome['mode']): Outcome => ({ decision: 'fallback', mode });

describe('how a policy change moves one request', () => {
  it.each([
    [queue, allow, 'loosens'],
    [deny, queue, 'loosens'],
    [queue, constrain('draft_write'), 'loosens'],
    [constrain('observe'), constrain('draft_write'), 'loosens'],
    [fallback('observe'), allow, 'loosens'],
    [queue, deny, 'tightens'],
    [constrain('draft_write'), queue, 'tightens'],
    [allow, constrain('observe'), 'tightens'],
    [constrain('search_only'), fallback('observe'), 'tightens'],
    [constrain('observe'), fallback('observe'), 'relabels'],
    [queue, queue, 'unchanged'],
  ] as const)('%o → %o %s', (from, to, effect) => {
    expect(classifyTransition(from, to)).toBe(effect);
  });

  it('names constrained outcomes with their mode', () => {
    expect(outcomeLabel(fallback('observe'))).toBe('fallback(observe)');
    expect(outcomeLabel(queue)).toBe('queue_for_approval');
  });
});
