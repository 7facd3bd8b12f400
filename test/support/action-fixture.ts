import type { Action } from '../../src/domain/action.js';
import type { ToolPolicy } from '../../src/domain/policy-model.js';

/**
 * A pending approval as the store would return it, for renderer and notifier
 * tests: every field set to something a reviewer would recognise. Tests
 * override what they are about.
 */
export function pendingAction(overrides: Partial<Action> = {}): Action {
  return {
    id: 'a1b2c3d4-0000-4000-8000-000000000001',
    tenant: 'acme',
    agent: 'billing-bot',
    tool: 'issue_refund',
    status: 'pending',
    decision: 'queue_for_approval',
    mode: 'approval_required',
    reasons: ['tool issue_refund requires approval', 'amount 1200 is over the 500 limit'],
    rule: 'tools.issue_refund.when[0]',
    hardBoundary: 'passed',
    policyVersion: 'abc123.4',
    args: { customer: 'cus_42', amount: 1200, currency: 'EUR' },
    argsSha256: 'f'.repeat(64),
    submittedArgsDigest: 'e'.repeat(64),
    argsVersion: 1,
    argsEdits: [],
    redact: [],
    cardPlatforms: [],
    summary: 'Refund the duplicate charge on invoice 991',
    requester: { id: 'U0REQ', display: 'Jane Roe', email: 'jane@acme.test' },
    workflow: 'support-refunds',
    environment: 'production',
    context: {},
    risk: 'high',
    effects: ['financial', 'external_effect'],
    consequence: 'Refunds 1200 EUR to customer cus_42',
    reviewerGroup: 'finance',
    escalated: false,
    round: 0,
    approvals: [],
    expiresAt: new Date('2030-01-02T03:04:05.000Z'),
    createdAt: new Date('2030-01-02T02:04:05.000Z'),
    reviews: [],
    ...overrides,
  };
}

/** The tool of `pendingAction`, as the policy declares it: one approval from `finance`, denied on timeout. */
export function refundTool(approval: Partial<NonNullable<ToolPolicy['approval']>> = {}, overrides: Partial<ToolPolicy> = {}): ToolPolicy {
  return {
    name: 'issue_refund',
    risk: 'high',
    effects: ['financial'],
    mode: 'approval_required',
    safestMode: 'draft_write',
    approval: { reviewers: 'finance', required: 1, timeoutMs: 3_600_000, onTimeout: 'deny', editable: [], ...approval },
    when: [],
    redact: [],
    ...overrides,
  };
}
