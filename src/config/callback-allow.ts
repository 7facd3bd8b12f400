import { isIP } from 'node:net';

/**
 * The internal callback receivers a deployment allows (AIRLOCK_CALLBACK_ALLOW):
 * host names, matched exactly whatever they resolve to, and addresses or
 * CIDR ranges, matched against the address a callback connects to.
 */
export interface CallbackAllowList {
  hosts: string[];
  ranges: { network: string; prefix: number; family: 'ipv4' | 'ipv6' }[];
}

export const EMPTY_ALLOW_LIST: CallbackAllowList = { hosts: [], ranges: [] };

// A DNS name: dot-separated labels of letters, digits and inner hyphens; not all digits (that would be an address).
const HOST_NAME = /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/** Parses the comma-separated list; returns the entries it could not read instead of guessing. */
export function parseCallbackAllowList(text: string): { list: CallbackAllowList; invalid: string[] } {
  const list: CallbackAllowList = { hosts: [], ranges: [] };
  const invalid: string[] = [];
  for (const raw of text.split(',').map((e) => e.trim()).filter(Boolean)) {
    const entry = raw.toLowerCase().replace(/^\[(.*)\]$/, '$1');
    const [network = '', prefixText, ...rest] = entry.split('/');
    const family = isIP(network);
    if (family !== 0 && rest.length === 0) {
      const max = family === 4 ? 32 : 128;
      const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
      if (prefix >= 0 && prefix <= max) list.ranges.push({ network, prefix, family: family === 4 ? 'ipv4' : 'ipv6' });
      else invalid.push(raw);
    } else if (prefixText === undefined && HOST_NAME.test(entry.replace(/\.$/, '')) && !/^[\d.]+$/.test(entry)) {
      list.hosts.push(entry.replace(/\.$/, ''));
    } else {
      invalid.push(raw);
    }
  }
  return { list, invalid };
}
