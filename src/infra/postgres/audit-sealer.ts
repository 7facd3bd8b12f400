import type { Logger } from 'pino';
import type { PgAuditLog } from './audit-log.js';

/**
 * Seals audit events into their tenant's chain right after the writes that
 * created them commit. `poke` coalesces: at most one seal per tenant runs in
 * this process at a time, seals of a tenant start at least `minGapMs` apart,
 * and pokes meanwhile trigger exactly one more. Under load that turns a seal
 * per decision (each a transaction with its own commit) into one block per
 * gap. A periodic sweep catches events written by processes that died before
 * sealing.
 */
export class AuditSealer {
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private readonly lastStart = new Map<string, number>();
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(private readonly audit: PgAuditLog, private readonly log: Logger, private readonly minGapMs = 50) {}

  poke(tenant: string): void {
    if (this.running.has(tenant)) {
      this.again.add(tenant);
      return;
    }
    const run = (async () => {
      do {
        const wait = (this.lastStart.get(tenant) ?? 0) + this.minGapMs - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        this.lastStart.set(tenant, Date.now());
        this.again.delete(tenant);
        try {
          await this.audit.seal(tenant);
        } catch (err) {
          this.log.warn({ err: (err as Error).message, tenant }, 'audit sealing failed; the sweep will retry');
          return;
        }
      } while (this.again.has(tenant));
    })().finally(() => this.running.delete(tenant));
    this.running.set(tenant, run);
  }

  startSweep(intervalMs = 2_000): void {
    this.sweepTimer = setInterval(() => {
      this.audit.tenantsWithUnsealed().then(
        (tenants) => tenants.forEach((t) => this.poke(t)),
        () => undefined,
      );
    }, intervalMs);
    this.sweepTimer.unref();
  }

  /** Waits for running seals; used at shutdown and by tests. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running.values());
  }

  stop(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
  }
}
