import { DEFAULT_REPORT_WINDOW, windowStart, type EvidenceReport } from '../domain/evidence.js';
import { AirlockError } from '../domain/errors.js';
import type { Clock } from '../ports/clock.js';
import type { EvidenceStore } from '../ports/evidence-store.js';
import type { PolicySource } from '../ports/policy-source.js';

export interface ReportInput {
  tenant: string;
  /** A span back from now (`7d`) or an ISO date or time; DEFAULT_REPORT_WINDOW when absent. */
  since?: string;
  tool?: string;
}

/**
 * The evidence for a tenant (optionally one tool) over a window ending now.
 * The tenant must be declared in the policy: a typo never reads as "no
 * actions". A tool need not be, since a tool removed from the policy still
 * has a history worth reading.
 */
export function makeReport(deps: { evidence: EvidenceStore; policy: PolicySource; clock: Clock }) {
  return async function report(input: ReportInput): Promise<EvidenceReport> {
    const declared = [...deps.policy.current().tenants.keys()];
    if (!declared.includes(input.tenant)) {
      throw new AirlockError('not_found', `unknown tenant ${JSON.stringify(input.tenant)}: the policy declares ${declared.map((t) => JSON.stringify(t)).join(', ') || 'none'}`);
    }
    const until = deps.clock.now();
    const since = windowStart(input.since ?? DEFAULT_REPORT_WINDOW, until);
    const { tools, groups } = await deps.evidence.figures({ tenant: input.tenant, since, until, tool: input.tool });
    return { tenant: input.tenant, since, until, ...(input.tool !== undefined ? { tool: input.tool } : {}), tools, groups };
  };
}
