import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

/**
 * Where a newest-first listing of actions stopped: the last action's creation
 * time exactly as stored (UTC, to the microsecond: a millisecond would skip
 * the actions created later in the same millisecond) and its id, which orders
 * actions created at the same instant.
 */
export interface ListPosition {
  /** `YYYY-MM-DDTHH:MM:SS.ffffffZ` */
  createdAt: string;
  id: string;
}

/**
 * Opaque cursors of a listing. A cursor names a position, and is signed
 * (HMAC-SHA256 with AIRLOCK_SECRET) together with the listing it belongs to
 * (`scope`: whose actions, which filters), so a cursor that was altered,
 * made up, or issued for another agent or other filters is refused rather
 * than read as some other position. Its format is free to change.
 */
export interface ListCursors {
  issue(scope: unknown, position: ListPosition): string;
  /** The position, or undefined when the cursor was not issued for this scope. */
  read(scope: unknown, cursor: string): ListPosition | undefined;
}

const CREATED_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** 128 bits of the MAC: plenty against forgery, and a shorter cursor. */
const MAC_BYTES = 16;

export function makeListCursors(secret: string): ListCursors {
  const key = createSecretKey(Buffer.from(secret));
  const mac = (scope: unknown, payload: string) =>
    createHmac('sha256', key).update('airlock:list-cursor\n').update(canonicalJson(scope)).update('\n').update(payload).digest().subarray(0, MAC_BYTES);
  return {
    issue(scope, position) {
      const payload = Buffer.from(JSON.stringify([position.createdAt, position.id])).toString('base64url');
      return `${payload}.${mac(scope, payload).toString('base64url')}`;
    },
    read(scope, cursor) {
      const [payload, signature, extra] = cursor.split('.');
      if (payload === undefined || signature === undefined || extra !== undefined) return undefined;
      const given = Buffer.from(signature, 'base64url');
      if (given.length !== MAC_BYTES || !timingSafeEqual(given, mac(scope, payload))) return undefined;
      // Signed by us, so well formed; checked all the same, as anything read from outside is.
      let fields: unknown;
      try {
        fields = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        return undefined;
      }
      if (!Array.isArray(fields) || fields.length !== 2) return undefined;
      const [createdAt, id] = fields as unknown[];
      if (typeof createdAt !== 'string' || !CREATED_AT.test(createdAt) || typeof id !== 'string' || !UUID.test(id)) return undefined;
      return { createdAt, id };
    },
  };
}
