import type { OverridesStore } from '../ports/overrides-store.js';

/**
 * Writes the audit events an admin change or a policy reload still owes
 * (they are owed in the change's transaction and written after it), and
 * returns how many it wrote. Each tenant written to is handed to `onAudited`
 * so its events are sealed into the chain promptly.
 */
export function makeWriteOwedAudit(deps: { overrides: Pick<OverridesStore, 'writeOwedAudit'>; onAudited?: (tenant: string) => void }) {
  return async function writeOwedAudit(): Promise<number> {
    const paid = await deps.overrides.writeOwedAudit();
    for (const p of paid) deps.onAudited?.(p.tenant);
    return paid.reduce((n, p) => n + p.events, 0);
  };
}
