import { describe, expect, it } from 'vitest';
import { renderCard } from '../../../../adapters/console/render-card.js';
import { reviewForms } from '../../../../adapters/console/pages/review-forms.js';
import type { Action } from '../../../../src/domain/action.js';
import { cardInState } from '../../../../src/domain/approval-card.js';
import { pendingAction, refundTool } from '../../../support/action-fixture.js';

const HOSTILE = '<script>alert("x")</script> & \'quoted\' \u202Egnp.exe\u200B';

const card = (overrides: Partial<Action> = {}, decided = false) =>
  cardInState({
    action: pendingAction({ expiresAt: new Date('2030-01-02T03:04:05.000Z'), ...overrides }),
    tool: refundTool(),
    groupName: 'finance',
    state: decided ? { kind: 'decided', outcome: 'denied', by: [], at: new Date('2030-01-01T00:00:00.000Z'), reason: HOSTILE } : { kind: 'pending', approvals: [] },
  });

describe('the console card', () => {
  it('escapes every untrusted string and shows hidden characters, in text and in attributes', () => {
    const c = card({ summary: HOSTILE, tool: HOSTILE, requester: { id: HOSTILE, display: HOSTILE }, args: { [HOSTILE]: HOSTILE }, reasons: [HOSTILE] });
    const out = renderCard(c, { controls: reviewForms(c.buttons!, { action: '/console/t/acme/actions/x/review', csrf: '"><script>', back: '/console/t/acme/inbox' }) }).text;
    expect(out).not.toContain('<script>');
    expect(out).not.toMatch(/\u202E|\u200B/);
    expect(out).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39; [U+202E]gnp.exe[U+200B]');
    expect(out).toContain('value="&quot;&gt;&lt;script&gt;"');
    expect(renderCard(card({}, true)).text).toContain('&lt;script&gt;');
  });

  it('keeps huge arguments to a readable size, saying how much was cut', () => {
    const out = renderCard(card({ args: { note: 'x'.repeat(100_000) } })).text;
    expect(out.length).toBeLessThan(40_000);
    expect(out).toMatch(/… \(\d+ more characters\)/);
  });

  it('writes each moment in UTC in a <time> the page script shows in the viewer’s zone', () => {
    expect(renderCard(card()).text).toContain('<time datetime="2030-01-02T03:04:05.000Z" title="2030-01-02 03:04:05 UTC">2030-01-02 03:04:05 UTC</time>');
  });

  it('has no buttons once decided, and labels every form control', () => {
    expect(card({}, true).buttons).toBeUndefined();
    const c = card();
    const forms = reviewForms(c.buttons!, { action: '/a', csrf: 't', back: '/console' }).text;
    const ids = [...forms.matchAll(/<(?:input|textarea)[^>]* id="([^"]+)"/g)].map((m) => m[1]);
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expect(forms).toContain(`for="${id}"`);
  });
});
