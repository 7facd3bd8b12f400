import type { Pool } from 'pg';
import type { Clock } from '../../ports/clock.js';
import type { SeenActivities } from '../../ports/seen-activities.js';

/** Width of one slot. With rows expiring at most MAX_VALID_AHEAD_MS (2 h) ahead, three slots are live at any time and the fourth is dead. */
export const ACTIVITY_SLOT_MS = 3600_000;
export const ACTIVITY_SLOTS = 4;
/**
 * Slots are emptied only this far from their edges: processes whose clocks
 * differ by up to a minute agree, with a minute to spare for a row written
 * exactly MAX_VALID_AHEAD_MS ahead.
 */
const EDGE_MS = 2 * 60_000;

export const activitySlotOf = (at: Date) => Math.floor(at.getTime() / ACTIVITY_SLOT_MS) % ACTIVITY_SLOTS;

/**
 * The slot of the hour just past, safe to empty at `now`; undefined near an
 * hour's edge. In hour b, rows still needed expire in hours b to b+2 (none
 * is written more than 2 h ahead); hour b-1 shares its slot with b+3, which
 * nothing can reach yet.
 */
export function expiredActivitySlot(now: Date): number | undefined {
  const period = Math.floor(now.getTime() / ACTIVITY_SLOT_MS);
  const into = now.getTime() - period * ACTIVITY_SLOT_MS;
  if (into < EDGE_MS || into > ACTIVITY_SLOT_MS - EDGE_MS) return undefined;
  return (period + ACTIVITY_SLOTS - 1) % ACTIVITY_SLOTS;
}

/**
 * SeenActivities in Postgres (seen_activities): a primary key per (slot, key)
 * makes the first insert win across processes; expiry is a TRUNCATE of the
 * one dead partition, never a DELETE that would leave dead rows for VACUUM.
 */
export class PgSeenActivities implements SeenActivities {
  private emptiedPeriod = -1;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly clock: Clock,
  ) {}

  async firstTime(key: Buffer, validUntil: Date): Promise<boolean> {
    const { rowCount } = await this.pool.query('INSERT INTO seen_activities (slot, key, expires_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
      activitySlotOf(validUntil),
      key,
      validUntil,
    ]);
    return rowCount === 1;
  }

  /** Empties the dead slot once per hour (any process may; it is idempotent). */
  async expire(): Promise<void> {
    const now = this.clock.now();
    const slot = expiredActivitySlot(now);
    const period = Math.floor(now.getTime() / ACTIVITY_SLOT_MS);
    if (slot === undefined || this.emptiedPeriod === period) return;
    const table = `seen_activities_${slot}`;
    const { rows } = await this.pool.query<{ used: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${table}) AS used`);
    // An empty partition is left alone: TRUNCATE takes an exclusive lock and writes the catalog.
    if (rows[0]?.used) await this.pool.query(`TRUNCATE ${table}`);
    this.emptiedPeriod = period;
  }

  /** Runs `expire` every minute (the safe middle of an hour is 56 minutes long). */
  startExpiry(onError: (err: unknown) => void): void {
    this.timer = setInterval(() => this.expire().catch(onError), 60_000);
    this.timer.unref();
    this.expire().catch(onError);
  }

  stopExpiry(): void {
    clearInterval(this.timer);
  }
}
