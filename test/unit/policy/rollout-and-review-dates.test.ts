import { describe, expect, it } from 'vitest';
import { AirlockError } from '../../../src/domain/errors.js';
import { dueForReview, reviewDates } from '../../../src/domain/review-dates.js';
import { policyJsonSchema } from '../../../src/policy/json-schema.js';
import { parsePolicy } from '../../../src/policy/load-policy.js';

const withTool = (tool: string) => `
tenants:
  a:
    reviewer_groups: { leads: { slack: { channel: C1, users: [U1] } } }
    agents: { bot: { tools: [t] } }
tools:
  t:
${tool
  .trim()
  .split('\n')
  .map((l) => `    ${l}`)
  .join('\n')}
`;

const errorsOf = (yaml: string) => {
  try {
    parsePolicy(yaml);
  } catch (err) {
    expect(err).toBeInstanceOf(AirlockError);
    return (err as AirlockError).details;
  }
  throw new Error('policy was accepted');
};

describe('rollout stages in the policy file', () => {
  it('loads a segment stage and a slice stage, each with its review date', () => {
    const policy = parsePolicy(
      withTool(`
owner: payments
risk: high
mode: observe
review_by: 2027-03-01
rollout:
  - if: "environment == 'production'"
    mode: allow
    review_by: 2027-02-01
  - percent: 12.5
    by: requester.id
    mode: draft_write
`),
    );
    const stages = policy.tools.get('t')!.rollout!;
    expect(stages.map((s) => ({ kind: s.kind, mode: s.mode, reviewBy: s.reviewBy }))).toEqual([
      { kind: 'segment', mode: 'allow', reviewBy: '2027-02-01' },
      { kind: 'slice', mode: 'draft_write', reviewBy: undefined },
    ]);
    expect(stages[1]).toMatchObject({ percent: 12.5, by: 'requester.id' });
    expect(policy.tools.get('t')!.reviewBy).toBe('2027-03-01');
  });

  it.each([
    ['a percent above 100', 'percent: 101\n    by: agent\n    mode: allow', 'tools.t.rollout.0.percent', ''],
    ['a negative percent', 'percent: -1\n    by: agent\n    mode: allow', 'tools.t.rollout.0.percent', ''],
    ['a percent with three decimals', 'percent: 10.005\n    by: agent\n    mode: allow', 'tools.t.rollout.0.percent', 'two decimals'],
    ['a percent that is not a number', 'percent: "10%"\n    by: agent\n    mode: allow', 'tools.t.rollout.0.percent', ''],
    ['both a segment and a slice', 'if: "agent == \'bot\'"\n    percent: 10\n    by: agent\n    mode: allow', 'tools.t.rollout.0', 'not both'],
    ['neither a segment nor a slice', 'mode: allow', 'tools.t.rollout.0', 'needs `if`'],
    ['a slice without its key', 'percent: 10\n    mode: allow', 'tools.t.rollout.0.by', 'needs `by`'],
    ['a key that cannot be bucketed by', 'percent: 10\n    by: context.user\n    mode: allow', 'tools.t.rollout.0.by', ''],
    ['a stage without a mode', 'percent: 10\n    by: agent', 'tools.t.rollout.0.mode', ''],
    ['a segment that is not valid CEL', 'if: "agent =="\n    mode: allow', 'tools.t.rollout.0.if', 'invalid CEL'],
    ['a stage that queues on a tool without an approval block', 'percent: 10\n    by: agent\n    mode: approval_required', 'tools.t.approval', 'approval block'],
  ])('refuses a stage with %s', (_, stage, path, why) => {
    const details = errorsOf(withTool(`owner: o\nrisk: low\nmode: observe\nrollout:\n  - ${stage}`));
    expect(details.map((d) => d.path)).toContain(path);
    expect(details.find((d) => d.path === path)!.message).toContain(why);
  });

  it.each([
    ['a day that does not exist', '2027-02-30'],
    ['a month that does not exist', '2027-13-01'],
    ['a date in another format', '01/02/2027'],
    ['a date with a time', '2027-02-01T10:00:00Z'],
  ])('refuses a review_by with %s, on a tool, a when rule and a stage', (_, date) => {
    const details = errorsOf(
      withTool(`
owner: o
risk: low
mode: observe
review_by: "${date}"
when:
  - if: "agent == 'bot'"
    then: observe
    review_by: "${date}"
rollout:
  - percent: 5
    by: agent
    mode: allow
    review_by: "${date}"
`),
    );
    expect(details.map((d) => d.path).sort()).toEqual(['tools.t.review_by', 'tools.t.rollout.0.review_by', 'tools.t.when.0.review_by']);
    expect(details[0]!.message).toContain('YYYY-MM-DD');
  });

  it('exports rollout and review_by in the JSON Schema for editors', () => {
    const schema = JSON.stringify(policyJsonSchema());
    for (const key of ['rollout', 'review_by', 'percent', 'requester.id', 'session_id']) expect(schema).toContain(key);
  });
});

describe('review dates', () => {
  const policy = parsePolicy(`
tenants: {}
tools:
  email:
    owner: support-platform
    risk: high
    mode: observe
    review_by: 2027-01-10
    when:
      - if: "context.confidence < 0.5"
        then: deny
        review_by: 2027-01-31
      - if: "agent == 'bot'"
        then: observe
    rollout:
      - percent: 10
        by: requester.id
        mode: draft_write
        review_by: 2027-01-01
  lookup:
    owner: test-owners
    risk: low
    mode: allow
    rollout:
      - if: "environment == 'staging'"
        mode: allow
        review_by: 2027-01-24
`);
  const now = new Date('2027-01-10T23:30:00Z');

  it('lists every dated control, overdue first, with its owner and the days left', () => {
    expect(reviewDates(policy, now)).toEqual([
      { control: 'tools.email.rollout[0]', tool: 'email', owner: 'support-platform', what: '10% by requester.id → draft_write', reviewBy: '2027-01-01', daysLeft: -9, status: 'overdue' },
      { control: 'tools.email', tool: 'email', owner: 'support-platform', what: 'mode observe', reviewBy: '2027-01-10', daysLeft: 0, status: 'due_soon' },
      { control: 'tools.lookup.rollout[0]', tool: 'lookup', owner: 'test-owners', what: "if environment == 'staging' → allow", reviewBy: '2027-01-24', daysLeft: 14, status: 'due_soon' },
      { control: 'tools.email.when[0]', tool: 'email', owner: 'support-platform', what: 'if context.confidence < 0.5 then deny', reviewBy: '2027-01-31', daysLeft: 21, status: 'later' },
    ]);
  });

  it('a review is due for what is past or within 14 days, not later', () => {
    expect(dueForReview(policy, now).map((r) => r.control)).toEqual(['tools.email.rollout[0]', 'tools.email', 'tools.lookup.rollout[0]']);
    expect(dueForReview(policy, new Date('2026-01-01T00:00:00Z'))).toEqual([]);
  });
});

describe('policy check on owners and rollout stages', () => {
  it('refuses a tool without an owner, and still lists its other errors', () => {
    const details = errorsOf(withTool(`risk: low\nmode: observe\nrollout:\n  - { percent: 101, by: agent, mode: allow }`));
    expect(details.map((d) => d.path)).toEqual(expect.arrayContaining(['tools.t.owner', 'tools.t.rollout.0.percent']));
    expect(details.find((d) => d.path === 'tools.t.owner')?.message).toContain('names its owner');
  });

  it('refuses a stage after a 100 % slice: it could never be reached', () => {
    const details = errorsOf(
      withTool(`owner: o\nrisk: low\nmode: observe\nrollout:\n  - { percent: 100, by: agent, mode: draft_write }\n  - { if: "environment == 'staging'", mode: allow }`),
    );
    expect(details.map((d) => d.path)).toEqual(['tools.t.rollout.1']);
    expect(details[0]!.message).toContain('never reached');
  });

  it('refuses a stage that allows a high-risk, irreversible tool unless it carries a review date', () => {
    const tool = (reviewBy: string) =>
      withTool(`owner: o\nrisk: high\neffects: [irreversible]\nmode: observe\nrollout:\n  - { percent: 10, by: agent, mode: allow${reviewBy} }`);
    expect(errorsOf(tool('')).map((d) => d.path)).toEqual(['tools.t.rollout.0.review_by']);
    expect(() => parsePolicy(tool(', review_by: 2027-02-01'))).not.toThrow();
  });
});
