import { BlockList, isIP } from 'node:net';
import type { CallbackAllowList } from '../../config/callback-allow.js';
import type { CallbackTargets } from '../../ports/callback-targets.js';
import { internalAddresses } from './internal-addresses.js';

const ALLOW_HINT = 'name it in AIRLOCK_CALLBACK_ALLOW to allow an internal receiver';

/** The callback target rules, at intake (the URL as written) and at delivery (each resolved address). */
export interface CallbackTargetRules extends CallbackTargets {
  /** Whether `host` is allowed by name: then any address it resolves to is. */
  hostAllowed(host: string): boolean;
  /** Why connecting to `address` is refused, or undefined. */
  addressRefusal(address: string): string | undefined;
}

/** `[::1]` → `::1`, `Hooks.Example.` → `hooks.example`. */
export const bareHost = (hostname: string) => hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');

export function createCallbackTargets(allow: CallbackAllowList): CallbackTargetRules {
  const hosts = new Set(allow.hosts);
  const ranges = new BlockList();
  for (const r of allow.ranges) ranges.addSubnet(r.network, r.prefix, r.family);

  const addressRefusal = (address: string) => {
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (ranges.check(address, family) || !internalAddresses.check(address, family)) return undefined;
    return `${address} is an internal address (loopback, private, link-local or unique-local); ${ALLOW_HINT}`;
  };

  return {
    hostAllowed: (host) => hosts.has(bareHost(host)),
    addressRefusal,
    refusal(url) {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        return 'is not a URL';
      }
      if (parsed.username || parsed.password) {
        return 'must not carry credentials (user:password@); receivers check the Airlock-Signature header instead';
      }
      // The WHATWG parser has already turned every IPv4 spelling (0x7f000001, 2130706433, 0177.1) into dotted form.
      const host = bareHost(parsed.hostname);
      if (hosts.has(host)) return undefined;
      if (isIP(host)) return addressRefusal(host);
      if (host === 'localhost' || host.endsWith('.localhost')) return `${host} names this machine; ${ALLOW_HINT}`;
      return undefined;
    },
  };
}
