import type { GroupEvidence, TimelinePoint, ToolEvidence } from '../domain/evidence.js';

export interface EvidenceQuery {
  tenant: string;
  /** Actions created at or after `since` and before `until`. */
  since: Date;
  until: Date;
  /** Only this tool's actions (and only they count towards the reviewer groups). */
  tool?: string;
  /** Also count the intake decisions per slice of this many seconds (a chart of decisions over time). */
  bucketSeconds?: number;
}

/**
 * The figures of a tenant's actions in a window, per tool and per reviewer
 * group, aggregated where the actions are stored (a report covers a million
 * actions; none of them is read into the process). Deliberately left out:
 * single actions (the audit trail and `review` show those) and anything that
 * writes: reading the evidence changes nothing, not even the audit chain.
 */
export interface EvidenceStore {
  figures(query: EvidenceQuery): Promise<{ tools: ToolEvidence[]; groups: GroupEvidence[]; timeline?: TimelinePoint[] }>;
}
