import type { Policy } from '../domain/policy-model.js';

/** The label value of every tenant, tool or reviewer group the live policy does not declare. */
export const UNDECLARED = 'other';

/**
 * Label values for /metrics, taken only from what the policy declares: an
 * agent can name any tool, and a removed tenant or group may still have
 * actions, but the number of series stays bounded by the policy file.
 */
export function metricLabels(policy: Policy) {
  return {
    tenant: (tenant: string | undefined) => (tenant !== undefined && policy.tenants.has(tenant) ? tenant : UNDECLARED),
    tool: (tool: string) => (policy.tools.has(tool) ? tool : UNDECLARED),
    /** A group counts as declared only within its own tenant. */
    group: (tenant: string | undefined, group: string | undefined) =>
      tenant !== undefined && group !== undefined && policy.tenants.get(tenant)?.reviewerGroups.has(group) ? group : UNDECLARED,
  };
}
