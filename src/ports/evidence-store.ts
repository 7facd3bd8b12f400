import type { GroupEvidence, ToolEvidence } from '../domain/evidence.js';

export interface EvidenceQuery {
  tenant: string;
  /** Actions created at or after `since` and before `until`. */
  since: Date;
  until: Date;
  /** Only this tool's actions (and only they count towards the reviewer groups). */
  tool?: string;
}

/**
 * The figures of a tenant's actions in a window, per tool and per reviewer
 * group, aggregated where the actions are stored (a report covers a million
 * actions; none of them is read into the process). Deliberately left out:
 * single actions (the audit trail and `review` show those) and anything that
 * writes: reading the evidence changes nothing, not even the audit chain.
 */
export interface EvidenceStore {
  figures(query: EvidenceQuery): Promise<{ tools: ToolEvidence[]; groups: GroupEvidence[] }>;
}
