import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/**
 * The key that authenticates a tenant's audit chain: derived from
 * AIRLOCK_SECRET (HKDF-SHA256 with a purpose label, so it is independent of
 * every other use of the secret), held only by Airlock processes, never
 * written to the database. Without it a superuser can still recompute every
 * hash of a rewritten chain, but not its MACs.
 */
export class AuditChainKey {
  private constructor(private readonly key: Buffer) {}

  static fromSecret(secret: string): AuditChainKey {
    if (secret.length < 32) throw new Error('AIRLOCK_SECRET must be at least 32 characters');
    return new AuditChainKey(Buffer.from(hkdfSync('sha256', secret, 'airlock', 'airlock/audit-chain/v1', 32)));
  }

  /**
   * MAC of a sealed block: its hash (which covers its number, events and
   * predecessor) and its watermark, the (xid, id) of its last event.
   */
  blockMac(tenant: string, blockHash: string, lastXid: string | number, lastId: number): string {
    return this.mac(`block\0${tenant}\0${blockHash}\0${lastXid}\0${lastId}`);
  }

  /** MAC of a checkpoint: the chain of `tenant` had `seq` events, the last in block `block` with hash `hash`, at `at`. */
  checkpointMac(c: { tenant: string; block: number; seq: number; hash: string; at: string }): string {
    return this.mac(`checkpoint\0${c.tenant}\0${c.block}\0${c.seq}\0${c.hash}\0${c.at}`);
  }

  /** Constant-time comparison of a stored or presented MAC with the expected one. */
  static same(expected: string, actual: string | null | undefined): boolean {
    if (typeof actual !== 'string' || actual.length !== expected.length) return false;
    return timingSafeEqual(Buffer.from(expected), Buffer.from(actual));
  }

  private mac(message: string): string {
    return createHmac('sha256', this.key).update(message).digest('hex');
  }
}
