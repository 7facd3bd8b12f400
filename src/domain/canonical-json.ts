import { hash } from 'node:crypto';

/**
 * Canonical JSON (RFC 8785 style for the values JSON carries here): object keys
 * sorted by code unit, no whitespace. Approvals bind to its SHA-256, and the
 * audit chain hashes it, so it must not depend on key order.
 *
 * Every submission's arguments pass through here on the intake path, so the
 * text is built in one pass, without an intermediate array per object.
 */
/** A key JSON.stringify would write as is: no control character, quote, backslash or surrogate. */
function plainKey(k: string): boolean {
  for (let i = 0; i < k.length; i++) {
    const c = k.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return false;
  }
  return true;
}

export function canonicalJson(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value !== 'object') return value === undefined ? 'null' : JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i]);
    return out + ']';
  }
  const obj = value as Record<string, unknown>;
  const keys = sortInPlace(Object.keys(obj));
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined) continue;
    out += (first ? '' : ',') + (plainKey(k) ? '"' + k + '"' : JSON.stringify(k)) + ':' + canonicalJson(v);
    first = false;
  }
  return out + '}';
}

/**
 * Sorts keys by code unit (what Array.prototype.sort does with strings): by
 * insertion for the few keys of a typical object, which allocates nothing,
 * unlike the engine's sort.
 */
function sortInPlace(keys: string[]): string[] {
  if (keys.length > 16) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > k) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = k;
  }
  return keys;
}

export const sha256Hex = (text: string): string => hash('sha256', text, 'hex');
