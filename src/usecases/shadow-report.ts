import type { ShadowRecords } from '../ports/shadow-records.js';
import { TransitionTally, type TransitionSummary } from './transition-tally.js';

export interface ShadowReport extends TransitionSummary {
  tenant: string;
  since: Date;
  until: Date;
  /** The shadow policy versions that judged the window's requests, oldest first. */
  shadowVersions: string[];
  /** Requests the shadow judged. */
  actions: number;
  /** Requests of the window decided while no shadow policy was configured. */
  withoutShadow: number;
}

/**
 * How the shadow policy disagreed with the live one on a tenant's real
 * requests, as each was decided at intake: the same transitions, loosening
 * first, as a plan shows for a candidate. Reads only; writes nothing.
 */
export function makeShadowReport(deps: { records: ShadowRecords }) {
  return async function shadowReport(input: { tenant: string; since: Date; until: Date }): Promise<ShadowReport> {
    const { groups, versions, withoutShadow } = await deps.records.summarise(input.tenant, input.since, input.until);
    const tally = new TransitionTally();
    let actions = 0;
    for (const g of groups) {
      tally.add(g.live, g.shadow, g.tool, g.examples, g.count);
      actions += g.count;
    }
    return { tenant: input.tenant, since: input.since, until: input.until, shadowVersions: versions, actions, withoutShadow, ...tally.summary() };
  };
}
