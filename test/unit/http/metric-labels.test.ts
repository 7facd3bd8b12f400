import { describe, expect, it } from 'vitest';
import { metricLabels } from '../../../src/http/metric-labels.js';
import { parsePolicy } from '../../../src/policy/load-policy.js';

const policy = parsePolicy(`
tenants:
  acme:
    reviewer_groups:
      leads: { slack: { channel: C1, users: [U1] } }
  globex:
    reviewer_groups:
      security: { slack: { channel: C2, users: [U2] } }
tools:
  read: { owner: team, risk: low, mode: allow }
`);
const labels = metricLabels(policy);

describe('metric labels', () => {
  it.each([
    ['a declared tenant', labels.tenant('acme'), 'acme'],
    ['a tenant the policy does not declare', labels.tenant('initech'), 'other'],
    ['no tenant at all (a click from an unconnected workspace)', labels.tenant(undefined), 'other'],
    ['a declared tool', labels.tool('read'), 'read'],
    ['a tool an agent made up', labels.tool('rm -rf /'), 'other'],
    ['a group of its tenant', labels.group('acme', 'leads'), 'leads'],
    ['a group declared only in another tenant', labels.group('acme', 'security'), 'other'],
    ['a group removed from the policy', labels.group('acme', 'oncall'), 'other'],
    ['an action without a group', labels.group('acme', undefined), 'other'],
  ])('labels %s as the policy allows', (_, actual, expected) => {
    expect(actual).toBe(expected);
  });
});
