import { describe, expect, it } from 'vitest';
import { withdrawnByPolicy, type ApprovalGround } from '../../../src/domain/policy-withdrawal.js';
import { parsePolicy } from '../../../src/policy/load-policy.js';

const policy = parsePolicy(`
tenants:
  acme:
    environments: [production, staging]
    reviewer_groups:
      leads: { slack: { channel: C1, users: [U1] } }
    agents:
      bot: { tools: [send, switched_off, ungranted_later] }
      prod_only: { tools: [send], environments: [production] }
tools:
  send:
    owner: test-owners
    risk: high
    mode: approval_required
    approval: { reviewers: leads, timeout: 15m }
  switched_off:
    owner: test-owners
    risk: high
    mode: off
  ungranted_later: { owner: test-owners, risk: low, mode: allow }
  not_granted: { owner: test-owners, risk: low, mode: allow }
`);

const ground = (over: Partial<ApprovalGround> = {}): ApprovalGround => ({ tenant: 'acme', agent: 'bot', tool: 'send', environment: 'production', reviewerGroup: 'leads', ...over });

describe('withdrawnByPolicy: what a pending approval still stands on', () => {
  const cases: { name: string; ground: ApprovalGround; rule?: string; detail?: string }[] = [
    { name: 'leaves an approval the policy still permits open', ground: ground() },
    { name: 'ends one whose tenant left the policy', ground: ground({ tenant: 'gone' }), rule: 'hard_boundary.unknown_agent', detail: 'tenant gone is no longer in the policy' },
    { name: 'ends one whose agent left the tenant', ground: ground({ agent: 'retired' }), rule: 'hard_boundary.unknown_agent', detail: 'agent retired is no longer declared for tenant acme' },
    { name: 'ends one whose tool is no longer registered', ground: ground({ tool: 'dropped' }), rule: 'hard_boundary.unregistered_tool', detail: 'tool dropped is no longer registered' },
    { name: 'ends one whose tool left the agent’s tool list', ground: ground({ tool: 'not_granted' }), rule: 'hard_boundary.agent_tools', detail: 'tool not_granted is no longer in the tool list of agent bot' },
    { name: 'ends one whose environment left the tenant', ground: ground({ environment: 'qa' }), rule: 'hard_boundary.agent_environments', detail: 'environment qa is no longer allowed for agent bot' },
    { name: 'ends one whose environment left the agent’s list', ground: ground({ agent: 'prod_only', environment: 'staging' }), rule: 'hard_boundary.agent_environments' },
    { name: 'ends one whose tool is now mode off', ground: ground({ tool: 'switched_off' }), rule: 'tools.switched_off.mode', detail: 'tool switched_off is switched off (mode off) in the policy' },
    { name: 'ends one whose reviewer group left the tenant', ground: ground({ reviewerGroup: 'oncall' }), rule: 'tenants.acme.reviewer_groups', detail: 'reviewer group oncall is no longer in the policy of tenant acme' },
    { name: 'checks the hard boundary before the reviewer group', ground: ground({ tool: 'not_granted', reviewerGroup: 'oncall' }), rule: 'hard_boundary.agent_tools' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const end = withdrawnByPolicy(policy, c.ground);
      if (!c.rule) return expect(end).toBeUndefined();
      expect(end).toMatchObject({ status: 'denied', decision: 'deny', mode: 'off', rule: c.rule, ...(c.detail ? { detail: c.detail } : {}) });
    });
  }
});
