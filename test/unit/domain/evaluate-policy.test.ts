import { describe, expect, it } from 'vitest';
import { evaluatePolicy, type EvaluationRequest } from '../../../src/domain/evaluate-policy.js';
import { NO_OVERRIDES, type TenantOverrides } from '../../../src/domain/policy-model.js';
import { rolloutBucket } from '../../../src/domain/rollout-bucket.js';
import { parsePolicy } from '../../../src/policy/load-policy.js';

const policy = parsePolicy(`
tenants:
  acme:
    reviewer_groups:
      leads: { slack: { channel: C1, users: [U1] }, max_pending: 2 }
    environments: [production, staging]
    agents:
      bot: { tools: [read, draft, search, observe, approve, allow_tool, off_tool, cond, safe_off, refund] }
      prod_only: { tools: [read], environments: [production] }
tools:
  read: { owner: test-owners, risk: low, mode: allow }
  draft: { owner: test-owners, risk: medium, mode: draft_write }
  search: { owner: test-owners, risk: medium, mode: search_only }
  observe: { owner: test-owners, risk: medium, mode: observe }
  off_tool: { owner: test-owners, risk: high, mode: off }
  allow_tool: { owner: test-owners, risk: high, mode: allow, safest_mode: draft_write }
  not_granted: { owner: test-owners, risk: low, mode: allow }
  approve:
    owner: test-owners
    risk: high
    mode: approval_required
    safest_mode: draft_write
    approval: { reviewers: leads, timeout: 15m }
  safe_off:
    owner: test-owners
    risk: high
    mode: allow
    safest_mode: off
  refund:
    owner: test-owners
    risk: high
    mode: approval_required
    safest_mode: observe
    approval: { reviewers: leads, timeout: 15m }
    when:
      - if: "args.amount_cents <= 1000"
        then: allow
  cond:
    owner: test-owners
    risk: high
    mode: allow
    safest_mode: observe
    approval: { reviewers: leads, timeout: 15m }
    when:
      - if: "args.amount > 500"
        then: deny
      - if: "context.confidence < 0.7"
        then: approval_required
      - if: "environment == 'staging'"
        then: draft_write
      - if: "args.note.size() > 3"
        then: observe
`);

const req = (over: Partial<EvaluationRequest> = {}): EvaluationRequest => ({
  tenant: 'acme',
  agent: 'bot',
  tool: 'read',
  args: {},
  context: {},
  requester: { id: 'U9' },
  workflow: 'wf',
  environment: 'production',
  ...over,
});
const ov = (over: Partial<TenantOverrides> = {}): TenantOverrides => ({ ...NO_OVERRIDES, version: 3, ...over });

describe('evaluatePolicy (first match wins)', () => {
  const cases: { name: string; request: EvaluationRequest; overrides?: TenantOverrides; pending?: number; expect: { decision: string; mode: string; rule: string; hardBoundary?: string } }[] = [
    // 1. agent and tenant
    { name: 'denies an agent the tenant does not declare', request: req({ agent: 'ghost' }), expect: { decision: 'deny', mode: 'off', rule: 'hard_boundary.unknown_agent', hardBoundary: 'unknown_agent' } },
    { name: 'denies an agent of an unknown tenant', request: req({ tenant: 'nope' }), expect: { decision: 'deny', mode: 'off', rule: 'hard_boundary.unknown_agent' } },
    { name: 'denies a killed agent before anything else', request: req({ tool: 'unregistered' }), overrides: ov({ killedAgents: new Map([['bot', {}]]) }), expect: { decision: 'deny', mode: 'off', rule: 'overrides.kill_agent', hardBoundary: 'agent_killed' } },
    // 2. hard boundary
    { name: 'denies an unregistered tool', request: req({ tool: 'unregistered' }), expect: { decision: 'deny', mode: 'off', rule: 'hard_boundary.unregistered_tool', hardBoundary: 'unregistered_tool' } },
    { name: 'denies a registered tool outside the agent tool list', request: req({ tool: 'not_granted' }), expect: { decision: 'deny', mode: 'off', rule: 'hard_boundary.agent_tools', hardBoundary: 'not_in_agent_tools' } },
    { name: 'keeps the hard boundary even in incident mode', request: req({ tool: 'not_granted' }), overrides: ov({ incident: { on: true } }), expect: { decision: 'deny', mode: 'off', rule: 'hard_boundary.agent_tools' } },
    // 3. denylist
    { name: 'denies a tool on the admin denylist', request: req({ tool: 'read' }), overrides: ov({ deniedTools: new Map([['read', { reason: 'leak' }]]) }), expect: { decision: 'deny', mode: 'off', rule: 'overrides.deny_tool' } },
    { name: 'denylist wins over incident mode', request: req({ tool: 'approve' }), overrides: ov({ deniedTools: new Map([['approve', {}]]), incident: { on: true } }), expect: { decision: 'deny', mode: 'off', rule: 'overrides.deny_tool' } },
    // 4. incident mode
    { name: 'falls back to the safest mode in incident mode', request: req({ tool: 'approve' }), overrides: ov({ incident: { on: true } }), expect: { decision: 'fallback', mode: 'draft_write', rule: 'overrides.incident' } },
    { name: 'keeps low-risk tools running in incident mode', request: req({ tool: 'read' }), overrides: ov({ incident: { on: true } }), expect: { decision: 'allow', mode: 'allow', rule: 'tools.read.mode' } },
    { name: 'denies in incident mode when the safest mode is off', request: req({ tool: 'safe_off' }), overrides: ov({ incident: { on: true } }), expect: { decision: 'deny', mode: 'off', rule: 'overrides.incident' } },
    // 5. when conditions, in order
    { name: 'applies the first matching condition (deny)', request: req({ tool: 'cond', args: { amount: 900, note: 'x' }, context: { confidence: 0.1 } }), expect: { decision: 'deny', mode: 'off', rule: 'tools.cond.when[0]' } },
    { name: 'queues when a condition requires approval', request: req({ tool: 'cond', args: { amount: 10, note: 'x' }, context: { confidence: 0.5 } }), expect: { decision: 'queue_for_approval', mode: 'approval_required', rule: 'tools.cond.when[1]' } },
    { name: 'constrains when a condition names a constrained mode', request: req({ tool: 'cond', args: { amount: 10, note: 'x' }, context: { confidence: 0.9 }, environment: 'staging' }), expect: { decision: 'constrain', mode: 'draft_write', rule: 'tools.cond.when[2]' } },
    { name: 'falls back when a condition cannot be evaluated (missing field)', request: req({ tool: 'cond', args: {}, context: { confidence: 0.9 } }), expect: { decision: 'fallback', mode: 'observe', rule: 'tools.cond.when[0]' } },
    { name: 'uses the tool mode when no condition matches', request: req({ tool: 'cond', args: { amount: 10, note: 'x' }, context: { confidence: 0.9 } }), expect: { decision: 'allow', mode: 'allow', rule: 'tools.cond.mode' } },
    // 6. modes
    { name: 'mode allow → allow', request: req({ tool: 'allow_tool' }), expect: { decision: 'allow', mode: 'allow', rule: 'tools.allow_tool.mode' } },
    { name: 'mode off → deny', request: req({ tool: 'off_tool' }), expect: { decision: 'deny', mode: 'off', rule: 'tools.off_tool.mode' } },
    { name: 'mode observe → constrain', request: req({ tool: 'observe' }), expect: { decision: 'constrain', mode: 'observe', rule: 'tools.observe.mode' } },
    { name: 'mode search_only → constrain', request: req({ tool: 'search' }), expect: { decision: 'constrain', mode: 'search_only', rule: 'tools.search.mode' } },
    { name: 'mode draft_write → constrain', request: req({ tool: 'draft' }), expect: { decision: 'constrain', mode: 'draft_write', rule: 'tools.draft.mode' } },
    { name: 'mode approval_required → queue', request: req({ tool: 'approve' }), expect: { decision: 'queue_for_approval', mode: 'approval_required', rule: 'tools.approve.mode' } },
    { name: 'a runtime mode override wins over the file', request: req({ tool: 'allow_tool' }), overrides: ov({ toolModes: new Map([['allow_tool', 'observe']]) }), expect: { decision: 'constrain', mode: 'observe', rule: 'overrides.mode' } },
    { name: 'a runtime approval_required on a tool without approval rule falls back', request: req({ tool: 'allow_tool' }), overrides: ov({ toolModes: new Map([['allow_tool', 'approval_required']]) }), expect: { decision: 'fallback', mode: 'draft_write', rule: 'overrides.mode' } },
    // 4b. a runtime mode override comes before the policy's when rules
    { name: 'a runtime mode off denies even where a when rule would allow', request: req({ tool: 'refund', args: { amount_cents: 500 } }), overrides: ov({ toolModes: new Map([['refund', 'off']]) }), expect: { decision: 'deny', mode: 'off', rule: 'overrides.mode' } },
    { name: 'a runtime constrained mode wins over a when rule that allows', request: req({ tool: 'refund', args: { amount_cents: 500 } }), overrides: ov({ toolModes: new Map([['refund', 'draft_write']]) }), expect: { decision: 'constrain', mode: 'draft_write', rule: 'overrides.mode' } },
    { name: 'without a runtime mode the when rule applies', request: req({ tool: 'refund', args: { amount_cents: 500 } }), expect: { decision: 'allow', mode: 'allow', rule: 'tools.refund.when[0]' } },
    { name: 'incident mode wins over a runtime mode', request: req({ tool: 'refund' }), overrides: ov({ incident: { on: true }, toolModes: new Map([['refund', 'allow']]) }), expect: { decision: 'fallback', mode: 'observe', rule: 'overrides.incident' } },
    // hard boundary: environments
    { name: 'denies an environment outside the agent’s environments', request: req({ agent: 'prod_only', environment: 'staging' }), expect: { decision: 'deny', mode: 'off', rule: 'hard_boundary.agent_environments', hardBoundary: 'environment_not_allowed' } },
    { name: 'denies an environment the tenant does not declare', request: req({ environment: 'Production' }), expect: { decision: 'deny', mode: 'off', rule: 'hard_boundary.agent_environments', hardBoundary: 'environment_not_allowed' } },
    // names from outside never reach inherited members
    { name: 'denies the tool name constructor as unregistered', request: req({ tool: 'constructor' }), expect: { decision: 'deny', mode: 'off', rule: 'hard_boundary.unregistered_tool' } },
    { name: 'denies the agent name __proto__ as undeclared', request: req({ agent: '__proto__' }), expect: { decision: 'deny', mode: 'off', rule: 'hard_boundary.unknown_agent' } },
    { name: 'denies the tenant name toString as undeclared', request: req({ tenant: 'toString' }), expect: { decision: 'deny', mode: 'off', rule: 'hard_boundary.unknown_agent' } },
    // 7. saturation
    { name: 'queues while the reviewer group has room', request: req({ tool: 'approve' }), pending: 1, expect: { decision: 'queue_for_approval', mode: 'approval_required', rule: 'tools.approve.mode' } },
    { name: 'falls back when the review queue is saturated', request: req({ tool: 'approve' }), pending: 2, expect: { decision: 'fallback', mode: 'draft_write', rule: 'tenants.acme.reviewer_groups.leads.max_pending' } },
    { name: 'saturation also applies to condition-queued actions', request: req({ tool: 'cond', args: { amount: 10, note: 'x' }, context: { confidence: 0.5 } }), pending: 5, expect: { decision: 'fallback', mode: 'observe', rule: 'tenants.acme.reviewer_groups.leads.max_pending' } },
    { name: 'saturation never turns a deny into a fallback', request: req({ tool: 'off_tool' }), pending: 99, expect: { decision: 'deny', mode: 'off', rule: 'tools.off_tool.mode' } },
  ];

  it.each(cases)('$name', ({ request, overrides, pending, expect: want }) => {
    const got = evaluatePolicy({
      policy,
      overrides: overrides ?? ov(),
      request,
      pendingByGroup: pending === undefined ? undefined : new Map([['leads', pending]]),
    });
    expect({ decision: got.decision, mode: got.mode, rule: got.rule }).toEqual({ decision: want.decision, mode: want.mode, rule: want.rule });
    if (want.hardBoundary) expect(got.hardBoundary).toBe(want.hardBoundary);
    expect(got.reasons.length).toBeGreaterThan(0);
  });

  it('records a reason for every step that ran, the deciding one last', () => {
    const got = evaluatePolicy({ policy, overrides: ov({ incident: { on: true, reason: 'breach' } }), request: req({ tool: 'read' }) });
    expect(got.reasons).toEqual([
      'agent bot of tenant acme is active',
      "tool read in production is within agent bot's hard boundary",
      'incident mode is on, but read is low risk',
      'policy mode of read is allow',
    ]);
  });

  it('is deterministic: the same input gives the same decision', () => {
    const input = { policy, overrides: ov(), request: req({ tool: 'cond', args: { amount: 10, note: 'abcd' }, context: { confidence: 0.9 } }) };
    expect(evaluatePolicy(input)).toEqual(evaluatePolicy(input));
    expect(evaluatePolicy(input).rule).toBe('tools.cond.when[3]');
  });
});

describe('evaluatePolicy: rollout stages, after `when` and before the mode', () => {
  const rolloutPolicy = (slicePercent: number) =>
    parsePolicy(`
tenants:
  acme:
    reviewer_groups:
      leads: { slack: { channel: C1, users: [U1] }, max_pending: 2 }
    environments: [production, staging]
    agents:
      bot: { tools: [roll, gated, by_session, by_workflow, shaky] }
  other:
    reviewer_groups:
      leads: { slack: { channel: C2, users: [U2] } }
    environments: [production, staging]
    agents:
      bot: { tools: [roll] }
tools:
  roll:
    owner: test-owners
    risk: high
    mode: approval_required
    safest_mode: observe
    approval: { reviewers: leads, timeout: 15m }
    when:
      - if: "args.amount > 100"
        then: deny
      - if: "context.confidence < 0.5"
        then: approval_required
    rollout:
      - if: "environment == 'staging'"
        mode: allow
      - percent: ${slicePercent}
        by: requester.id
        mode: draft_write
  gated:
    owner: test-owners
    risk: medium
    mode: allow
    approval: { reviewers: leads, timeout: 15m }
    rollout:
      - percent: 100
        by: agent
        mode: approval_required
  by_session:
    owner: test-owners
    risk: low
    mode: observe
    rollout:
      - percent: 100
        by: session_id
        mode: allow
  by_workflow:
    owner: test-owners
    risk: low
    mode: observe
    rollout:
      - percent: 100
        by: workflow
        mode: allow
  shaky:
    owner: test-owners
    risk: high
    mode: observe
    safest_mode: off
    rollout:
      - if: "args.note.size() > 3"
        mode: allow
`);
  const policy10 = rolloutPolicy(10);
  const roll = (over: Partial<EvaluationRequest> = {}) => req({ tool: 'roll', args: { amount: 1 }, context: { confidence: 0.9 }, ...over });
  // A requester inside the 10 % slice of stage 1 and one outside it, found from the buckets themselves.
  const ids = Array.from({ length: 200 }, (_, i) => `U${i}`);
  const bucketOf = (id: string, tenant = 'acme') => rolloutBucket({ tenant, tool: 'roll', stage: 1, key: 'requester.id', value: id });
  const inside = ids.find((id) => bucketOf(id) < 1000)!;
  const outside = ids.find((id) => bucketOf(id) >= 1000)!;

  const cases: { name: string; request: EvaluationRequest; overrides?: TenantOverrides; pending?: number; expect: { decision: string; mode: string; rule: string; rollout?: unknown } }[] = [
    { name: 'a segment stage that matches gives its mode', request: roll({ environment: 'staging' }), expect: { decision: 'allow', mode: 'allow', rule: 'tools.roll.rollout[0]', rollout: { stage: 0 } } },
    { name: 'a requester in the slice gets the slice mode', request: roll({ requester: { id: inside } }), expect: { decision: 'constrain', mode: 'draft_write', rule: 'tools.roll.rollout[1]', rollout: { stage: 1, bucket: bucketOf(inside), key: 'requester.id' } } },
    { name: 'a requester outside every stage gets the tool mode', request: roll({ requester: { id: outside } }), expect: { decision: 'queue_for_approval', mode: 'approval_required', rule: 'tools.roll.mode' } },
    { name: 'a request without the bucketing key is in no slice', request: roll({ requester: {} }), expect: { decision: 'queue_for_approval', mode: 'approval_required', rule: 'tools.roll.mode' } },
    { name: 'a request whose bucketing key is not text is in no slice', request: roll({ requester: { id: 7 } }), expect: { decision: 'queue_for_approval', mode: 'approval_required', rule: 'tools.roll.mode' } },
    { name: 'a when rule that denies wins over a matching stage', request: roll({ environment: 'staging', args: { amount: 500 } }), expect: { decision: 'deny', mode: 'off', rule: 'tools.roll.when[0]' } },
    { name: 'a when rule that requires approval stays approval inside the slice', request: roll({ requester: { id: inside }, context: { confidence: 0.2 } }), expect: { decision: 'queue_for_approval', mode: 'approval_required', rule: 'tools.roll.when[1]' } },
    { name: 'an admin mode override wins over a matching stage', request: roll({ environment: 'staging' }), overrides: ov({ toolModes: new Map([['roll', 'observe']]) }), expect: { decision: 'constrain', mode: 'observe', rule: 'overrides.mode' } },
    { name: 'an admin denylist wins over a matching stage', request: roll({ environment: 'staging' }), overrides: ov({ deniedTools: new Map([['roll', {}]]) }), expect: { decision: 'deny', mode: 'off', rule: 'overrides.deny_tool' } },
    { name: 'incident mode wins over a matching stage', request: roll({ environment: 'staging' }), overrides: ov({ incident: { on: true } }), expect: { decision: 'fallback', mode: 'observe', rule: 'overrides.incident' } },
    { name: 'the hard boundary wins over a matching stage', request: roll({ agent: 'bot', tenant: 'acme', tool: 'not_listed', environment: 'staging' }), expect: { decision: 'deny', mode: 'off', rule: 'hard_boundary.unregistered_tool' } },
    { name: 'a stage of approval_required queues for approval', request: req({ tool: 'gated' }), expect: { decision: 'queue_for_approval', mode: 'approval_required', rule: 'tools.gated.rollout[0]', rollout: { stage: 0, bucket: rolloutBucket({ tenant: 'acme', tool: 'gated', stage: 0, key: 'agent', value: 'bot' }), key: 'agent' } } },
    { name: 'a stage that queues still falls back when the review queue is saturated', request: req({ tool: 'gated' }), pending: 2, expect: { decision: 'fallback', mode: 'observe', rule: 'tenants.acme.reviewer_groups.leads.max_pending', rollout: { stage: 0, bucket: rolloutBucket({ tenant: 'acme', tool: 'gated', stage: 0, key: 'agent', value: 'bot' }), key: 'agent' } } },
    { name: 'a slice by session_id holds a request with a session', request: req({ tool: 'by_session', sessionId: 's-1' }), expect: { decision: 'allow', mode: 'allow', rule: 'tools.by_session.rollout[0]', rollout: { stage: 0, bucket: rolloutBucket({ tenant: 'acme', tool: 'by_session', stage: 0, key: 'session_id', value: 's-1' }), key: 'session_id' } } },
    { name: 'a slice by session_id, even at 100 %, leaves out a request without a session', request: req({ tool: 'by_session' }), expect: { decision: 'constrain', mode: 'observe', rule: 'tools.by_session.mode' } },
    { name: 'a slice by workflow leaves out a request without a workflow', request: req({ tool: 'by_workflow', workflow: '' }), expect: { decision: 'constrain', mode: 'observe', rule: 'tools.by_workflow.mode' } },
    { name: 'a segment that cannot be evaluated falls back (here: to deny)', request: req({ tool: 'shaky', args: {} }), expect: { decision: 'deny', mode: 'off', rule: 'tools.shaky.rollout[0]' } },
  ];

  it.each(cases)('$name', ({ request, overrides, pending, expect: want }) => {
    const got = evaluatePolicy({ policy: policy10, overrides: overrides ?? ov(), request, pendingByGroup: pending === undefined ? undefined : new Map([['leads', pending]]) });
    expect({ decision: got.decision, mode: got.mode, rule: got.rule, rollout: got.rollout }).toEqual({ decision: want.decision, mode: want.mode, rule: want.rule, rollout: want.rollout });
  });

  it('records the stage, bucket and key name, never the key value', () => {
    const got = evaluatePolicy({ policy: policy10, overrides: ov(), request: roll({ requester: { id: inside } }) });
    expect(got.rollout).toEqual({ stage: 1, bucket: bucketOf(inside), key: 'requester.id' });
    expect(JSON.stringify(got)).not.toContain(inside);
  });

  it('puts the same requester in the same bucket every time, and buckets each tenant on its own', () => {
    expect(bucketOf(inside)).toBe(bucketOf(inside));
    const acme = ids.map((id) => bucketOf(id));
    const other = ids.map((id) => bucketOf(id, 'other'));
    expect(acme).not.toEqual(other);
  });

  it('raising the percent only adds members, and a 10 % slice of 100,000 requesters holds 10 % ± 0.5 %', () => {
    const many = Array.from({ length: 100_000 }, (_, i) => `user-${i}`);
    const members = (percent: number) => {
      const p = rolloutPolicy(percent);
      return new Set(many.filter((id) => evaluatePolicy({ policy: p, overrides: ov(), request: roll({ requester: { id } }) }).rule === 'tools.roll.rollout[1]'));
    };
    const ten = members(10);
    const twenty = members(20);
    for (const id of ten) expect(twenty.has(id)).toBe(true);
    expect(ten.size).toBeGreaterThan(9_500);
    expect(ten.size).toBeLessThan(10_500);
    expect(twenty.size).toBeGreaterThan(19_500);
    expect(twenty.size).toBeLessThan(20_500);
    expect(members(0).size).toBe(0);
  });

  it('a slice of 0.01 % holds exactly the requesters in bucket 0', () => {
    const p = rolloutPolicy(0.01);
    const many = Array.from({ length: 20_000 }, (_, i) => `user-${i}`);
    for (const id of many) {
      const inSlice = evaluatePolicy({ policy: p, overrides: ov(), request: roll({ requester: { id } }) }).rule === 'tools.roll.rollout[1]';
      expect(inSlice).toBe(bucketOf(id) === 0);
    }
  });
});
