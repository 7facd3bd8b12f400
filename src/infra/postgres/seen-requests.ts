import type { Pool } from 'pg';
import type { Clock } from '../../ports/clock.js';
import type { SeenRequests } from '../../ports/seen-requests.js';

/** Width of one slot; at least the signature window (a request is accepted within 300 s of now, either side). */
export const SLOT_MS = 300_000;
export const SLOTS = 4;
/** Slots are emptied only away from their edges, so processes whose clocks differ by up to this much agree. */
const EDGE_MS = 60_000;

export const slotOf = (at: Date) => Math.floor(at.getTime() / SLOT_MS) % SLOTS;

/**
 * The slot that holds nothing still valid at `now`, safe to empty; undefined
 * near a slot boundary. At a time in slot period b, signed timestamps within
 * 300 s fall in periods b-1, b and b+1; period b+2 shares its slot with b-2,
 * long expired.
 */
export function expiredSlot(now: Date): number | undefined {
  const period = Math.floor(now.getTime() / SLOT_MS);
  const into = now.getTime() - period * SLOT_MS;
  if (into < EDGE_MS || into > SLOT_MS - EDGE_MS) return undefined;
  return (period + 2) % SLOTS;
}

/**
 * SeenRequests in Postgres (migration 0017): a primary key per (slot, digest)
 * makes the first insert win across processes; expiry is a TRUNCATE of the
 * one dead partition, never a DELETE that would leave dead rows for VACUUM.
 */
export class PgSeenRequests implements SeenRequests {
  private emptiedPeriod = -1;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly clock: Clock,
  ) {}

  async firstTime(digest: Buffer, signedAt: Date): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      'INSERT INTO seen_requests (slot, digest, signed_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
      [slotOf(signedAt), digest, signedAt],
    );
    return rowCount === 1;
  }

  /** Empties the dead slot once per period (any process may; it is idempotent). */
  async expire(): Promise<void> {
    const now = this.clock.now();
    const slot = expiredSlot(now);
    const period = Math.floor(now.getTime() / SLOT_MS);
    if (slot === undefined || this.emptiedPeriod === period) return;
    const table = `seen_requests_${slot}`;
    const { rows } = await this.pool.query<{ used: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${table}) AS used`);
    // An empty partition is left alone: TRUNCATE takes an exclusive lock and writes the catalog.
    if (rows[0]?.used) await this.pool.query(`TRUNCATE ${table}`);
    this.emptiedPeriod = period;
  }

  /** Runs `expire` every 30 s (a period is 5 minutes; its safe middle, 3). */
  startExpiry(onError: (err: unknown) => void): void {
    this.timer = setInterval(() => this.expire().catch(onError), 30_000);
    this.timer.unref();
    this.expire().catch(onError);
  }

  stopExpiry(): void {
    clearInterval(this.timer);
  }
}
