import { describe, expect, it } from 'vitest';
import { actionStoryJson } from '../../../adapters/cli/action-story-json.js';
import { formatActionStory } from '../../../adapters/cli/format-action-story.js';
import { actionStory, type TrailEvent } from '../../../src/domain/action-story.js';

const ID = '2dc159e8-2ef0-415e-bdc1-c8d112264d0e';
const T0 = Date.parse('2026-01-31T08:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);

/** The fields every event of the action carries, as the trail records them. */
const base = {
  request_id: ID,
  tenant: 'acme',
  environment: 'production',
  workflow: null,
  agent: 'bot',
  requester: { id: 'U0SAM', email: 'sam@acme.test' },
  session: null,
  tool: 'refund',
  target: null,
  summary: 'Refund order 7',
  risk: 'high',
  effects: ['financial'],
  policy_version: 'abc.3',
  rule: 'tools.refund.mode',
  decision: 'queue_for_approval',
  mode: 'approval_required',
  status: 'pending',
  reasons: ['policy mode of refund is approval_required'],
  args_version: 1,
  args_sha256: 'a'.repeat(64),
};
const event = (id: number, kind: string, seconds: number, extra: Record<string, unknown> = {}): TrailEvent => ({ id: String(id), kind, at: at(seconds), data: { ...base, ...extra } });
const lead = { platform: 'slack', user_id: 'U0FIN1', team_id: 'T0ACME', email: 'fin1@acme.test' };

describe('the story of one action', () => {
  const events: TrailEvent[] = [
    // Given out of order: the story sorts by time, then by the order written.
    event(14, 'admin_change', 250, { cause: 'overrides.deny_tool', status: 'denied', decision: 'deny', mode: 'off' }),
    event(9, 'decision', 0, { args: { amount_cents: 1200, card: '[redacted]' }, shadow: { policy_version: 'cand.1', decision: 'allow', mode: 'allow', rule: 'tools.refund.when[0]' }, latency_ms: 4 }),
    event(11, 'review', 30, { reviewer: { ...lead, via: 'cli', operator: 'alice' }, review_decision: 'approve', reason: null }),
    event(10, 'card_posted', 0.2, { card: { platform: 'teams', conversationId: '19:abc@thread.tacv2', activityId: '1:1' }, round: 0, reviewer_group: 'finance' }),
    event(12, 'callback_failed', 251, { status: 'denied', callback_origin: 'https://agent.example', error: 'HTTP 500' }),
    event(13, 'sink_cursor', 252, { status: 'denied' }),
    event(15, 'reminder', 100, { round: 0, reviewer_group: 'finance', posted: false }),
  ];
  const story = actionStory('acme', ID, events);

  it('orders the steps in time, each timed from the request, and sums up who asked and how it ended', () => {
    expect(story.timeline.map((e) => [e.kind, e.afterMs])).toEqual([
      ['decision', 0],
      ['card_posted', 200],
      ['review', 30_000],
      ['reminder', 100_000],
      ['admin_change', 250_000],
      ['callback_failed', 251_000],
      ['other', 252_000],
    ]);
    expect(story).toMatchObject({ tool: 'refund', requestedAt: at(0), now: { status: 'denied' }, request: { agent: 'bot', args: { card: '[redacted]' } }, decision: { rule: 'tools.refund.mode', policyVersion: 'abc.3' } });
    expect(story.reviews).toEqual([{ at: at(30), reviewer: { platform: 'slack', userId: 'U0FIN1', teamId: 'T0ACME', email: 'fin1@acme.test', operator: 'alice' }, decision: 'approve', status: 'pending', argsRef: { version: 1, sha256: 'a'.repeat(64) } }]);
    expect(story.result).toBeUndefined();
  });

  it('tells a person each step in words', () => {
    const text = formatActionStory(story);
    expect(text).toContain('shadow policy cand.1 would have decided allow (mode allow), rule tools.refund.when[0]');
    expect(text).toMatch(/\+0s {7}card posted {5}teams, round 0, group finance: conversationId 19:abc@thread\.tacv2, activityId 1:1/);
    expect(text).toContain('approved        by slack U0FIN1 (fin1@acme.test, team T0ACME) via the CLI (operator alice); status pending');
    expect(text).toMatch(/\+4m 10s {3}admin override {2}overrides\.deny_tool; decision deny, mode off; status denied/);
    expect(text).toContain('callback        failed to https://agent.example: HTTP 500');
    expect(text).toContain('sink cursor     status denied');
    expect(text).toContain('reminder        round 0, group finance (no card to remind in: nothing posted)');
    expect(text).toMatch(/^ran {9}nothing reported$/m);
  });

  it('reads a reported result whose arguments differ from the approved ones', () => {
    const s = actionStory('acme', ID, [
      event(1, 'decision', 0, { args: {} }),
      event(2, 'result', 60, { status: 'failed', args_version: 2, execution_result: { outcome: 'failed', detail: 'timeout', external_ref: null, args_check: 'mismatch' }, violation: 'executed arguments differ from version 2 of the arguments (approved with changes): amount_cents' }),
    ]);
    expect(formatActionStory(s)).toMatch(/^ran {9}failed, "timeout"; the executed arguments DIFFER from v2: executed arguments differ .*: amount_cents$/m);
    expect(actionStoryJson(s).result).toMatchObject({ outcome: 'failed', args_check: 'mismatch', args_version: 2, external_ref: null });
  });

  it('makes what an agent or a reviewer wrote visible instead of letting the terminal act on it', () => {
    const s = actionStory('acme', ID, [
      event(1, 'decision', 0, { summary: 'ok\n  +0s       approved        by slack U0BOSS\u001b[8m', args: { note: 'a\u202eb' } }),
      event(2, 'review', 1, { reviewer: { ...lead, user_id: 'U0X\r' }, review_decision: 'deny', reason: 'no\u0007\u009b' }),
    ]);
    const text = formatActionStory(s);
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(text.split('\n').filter((l) => l.includes('approved'))).toHaveLength(1);
    expect(text).toContain('ok\\n  +0s       approved        by slack U0BOSS\\x1b[8m');
    expect(text).toContain('denied          by slack U0X\\r (fin1@acme.test, team T0ACME): "no\\u0007\\x9b"');
  });

  it('tells what it can from events that lack fields, and an action without a decision event', () => {
    const s = actionStory('acme', ID, [{ id: '5', kind: 'review_refused', at: at(3), data: { request_id: ID, attempted: 'approve', refused_because: 'unknown_action' } }]);
    expect(s).toMatchObject({ tool: '?', requestedAt: at(3), now: { status: '?', decision: '?', mode: '?' } });
    expect(s.request).toBeUndefined();
    const text = formatActionStory(s);
    expect(text).toContain('(the trail holds no decision event for it)');
    expect(text).toContain('review refused  approve by someone: no such action in the tenant');
  });
});
