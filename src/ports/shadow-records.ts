import type { Outcome } from '../domain/plan-diff.js';

/** Requests of one live and one shadow outcome, for one tool: how many, and a few of their ids. */
export interface ShadowGroup {
  tool: string;
  live: Outcome;
  shadow: Outcome;
  count: number;
  examples: string[];
}

/**
 * What the shadow policy said about a tenant's live requests in a window,
 * grouped by tool and by the live and shadow outcomes at intake (counted by
 * the database: a report over millions of requests moves only the groups).
 * Left out: requests decided while no shadow was configured, beyond their count.
 */
export interface ShadowRecords {
  summarise(tenant: string, since: Date, until: Date): Promise<{ groups: ShadowGroup[]; versions: string[]; withoutShadow: number }>;
}
