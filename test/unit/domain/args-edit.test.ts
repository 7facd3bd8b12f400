import { describe, expect, it } from 'vitest';
import type { ArgsEdit } from '../../../src/domain/action.js';
import { makeArgsDigests } from '../../../src/domain/args-digest.js';
import { applyEdits, checkExecutedArgs } from '../../../src/domain/args-edit.js';
import { redactArgs } from '../../../src/domain/redact.js';

const rules = { editable: ['amount', 'subject', 'tags', 'meta', 'items.0.qty', 'note'], redact: ['pin', 'card.*'] };
const current = { amount: 5000, subject: 'hi', tags: ['a'], meta: { k: 1 }, items: [{ qty: 1 }], pin: '[redacted]', flag: true };

describe('applyEdits', () => {
  it('keeps each value’s JSON type: numbers, arrays and objects are typed as JSON, text stays text', () => {
    const out = applyEdits(current, { amount: '49999', subject: '{"not": "json to me"}', tags: '["a","b"]', meta: '{"k":2}', 'items.0.qty': '3' }, rules);
    expect(out).toEqual({
      args: { ...current, amount: 49999, subject: '{"not": "json to me"}', tags: ['a', 'b'], meta: { k: 2 }, items: [{ qty: 3 }] },
      changes: [
        { path: 'amount', from: 5000, to: 49999 },
        { path: 'subject', from: 'hi', to: '{"not": "json to me"}' },
        { path: 'tags', from: ['a'], to: ['a', 'b'] },
        { path: 'meta', from: { k: 1 }, to: { k: 2 } },
        { path: 'items.0.qty', from: 1, to: 3 },
      ],
    });
  });

  it.each([
    [{ amount: '{"x":1}' }, 'must stay a number'],
    [{ amount: 'twelve' }, 'must be a number written as JSON'],
    [{ tags: '{"a":1}' }, 'must stay an array'],
    [{ meta: '[1]' }, 'must stay an object'],
    [{ flag: 'false' }, 'not editable'],
    [{ pin: '1234' }, 'not editable'],
    [{ amount: `${'['.repeat(40)}${']'.repeat(40)}` }, 'must stay a number'],
  ])('refuses %j', (edits, why) => {
    expect(applyEdits(current, edits, rules)).toEqual({ error: expect.stringContaining(why) });
  });

  it('refuses an editable path that a redact rule covers (a policy changed after the action was submitted)', () => {
    expect(applyEdits({ card: { number: '[redacted]' } }, { 'card.number': '4111' }, { editable: ['card.number'], redact: ['card.*'] })).toEqual({
      error: expect.stringContaining('redacted'),
    });
  });

  it('records no change for a value typed as it was', () => {
    expect(applyEdits(current, { amount: '5000' }, rules)).toEqual({ args: current, changes: [] });
  });
});

describe('checkExecutedArgs', () => {
  const digests = makeArgsDigests('s'.repeat(32));
  const submitted = { to: 'a@b.c', subject: 'old', pin: '4821' };
  const submittedView = redactArgs(submitted, ['pin']);
  const edit: ArgsEdit = { version: 2, by: { platform: 'slack', userId: 'U1', teamId: 'T1' }, at: new Date(0), changes: [{ path: 'subject', from: 'old', to: 'new' }] };
  const view = { ...submittedView, subject: 'new' };
  const check = (executed: Record<string, unknown>, edits = [edit], bound: Record<string, unknown> = view) =>
    checkExecutedArgs({ executed, view: bound, submittedView, edits, redact: ['pin'], submittedDigest: digests.submitted(submitted), digests });

  it('passes an honest agent that runs the approved edit with its own redacted values', () => {
    expect(check({ to: 'a@b.c', subject: 'new', pin: '4821' })).toEqual({ ok: true });
    expect(check(submitted, [], submittedView)).toEqual({ ok: true });
  });

  it.each([
    [{ to: 'a@b.c', subject: 'old', pin: '4821' }, ['subject'], false],
    [{ to: 'x@b.c', subject: 'new', pin: '4821' }, ['to'], false],
    [{ to: 'a@b.c', subject: 'new', pin: '0000' }, [], true],
    [{ to: 'a@b.c', subject: 'new' }, ['pin'], false],
    [{ to: 'a@b.c', subject: 'new', pin: '4821', extra: 1 }, ['extra'], false],
  ])('flags %j', (executed, differs, redactedDiffers) => {
    expect(check(executed)).toEqual({ ok: false, differs, redactedDiffers });
  });
});
