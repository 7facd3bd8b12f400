import { DEFAULT_REPORT_WINDOW, windowStart, type EvidenceReport } from '../domain/evidence.js';
import { parseDuration } from '../domain/duration.js';
import { AirlockError } from '../domain/errors.js';
import type { Clock } from '../ports/clock.js';
import type { EvidenceStore } from '../ports/evidence-store.js';
import type { PolicySource } from '../ports/policy-source.js';

const HOUR_MS = 3_600_000;

export interface ReportInput {
  tenant: string;
  /** A span back from now (`7d`) or an ISO date or time; DEFAULT_REPORT_WINDOW when absent. */
  since?: string;
  tool?: string;
  /** Also count decisions over time, in slices this wide (whole hours: `1h`, `6h`, `1d`): what a chart of the window plots. */
  slice?: string;
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
    const slice = input.slice === undefined ? undefined : parseDuration(input.slice);
    if (input.slice !== undefined && slice === undefined) throw new AirlockError('validation_failed', `${JSON.stringify(input.slice)} is not a span (1h, 6h, 1d)`);
    // Actions are counted per hour as they change: a slice is whole hours, so that every hour falls in one slice.
    if (slice !== undefined && (slice < HOUR_MS || slice % HOUR_MS !== 0)) throw new AirlockError('validation_failed', `a slice of ${input.slice} is not whole hours (1h, 6h, 1d)`);
    const bucketSeconds = slice === undefined ? undefined : slice / 1000;
    const { tools, groups, timeline } = await deps.evidence.figures({ tenant: input.tenant, since, until, tool: input.tool, ...(bucketSeconds ? { bucketSeconds } : {}) });
    return {
      tenant: input.tenant,
      since,
      until,
      ...(input.tool !== undefined ? { tool: input.tool } : {}),
      tools,
      groups,
      ...(bucketSeconds && timeline ? { timeline: { bucketSeconds, points: timeline } } : {}),
    };
  };
}
