import type { TrailEvent } from '../domain/action-story.js';

/**
 * An action's events read back from the audit trail, and nothing else: what
 * `audit show` tells is what the trail recorded, not what the actions table
 * says now. Read only, within one tenant. Left out: chain positions and
 * hashes (`audit verify` and `audit export` give those).
 */
export interface ActionTrail {
  /** Up to `limit` ids of the tenant's actions with events in the trail that start with `prefix`, in id order. */
  idsStartingWith(tenant: string, prefix: string, limit: number): Promise<string[]>;
  /** Every event of the action in the tenant's trail, sealed or not. */
  eventsOf(tenant: string, actionId: string): Promise<TrailEvent[]>;
}
