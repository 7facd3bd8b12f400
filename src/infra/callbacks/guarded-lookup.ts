import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { AirlockError } from '../../domain/errors.js';
import type { CallbackTargetRules } from './callback-targets.js';

/** Resolves a host name to its addresses (the system resolver, or a stand-in in tests). */
export type ResolveHost = (hostname: string) => Promise<{ address: string; family: number }[]>;

export const systemResolveHost: ResolveHost = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/**
 * A `lookup` for the socket a callback goes out on: it resolves the name,
 * checks every address, and hands the socket only checked addresses, so the
 * connection goes where the check looked (a second resolution could answer
 * differently: DNS rebinding). One internal address refuses the whole name:
 * which address a client ends up using is not ours to predict.
 */
export function guardedLookup(rules: CallbackTargetRules, resolve: ResolveHost): LookupFunction {
  return (hostname, options, callback) => {
    const reply = callback as (err: Error | null, address: string | LookupAddress[], family?: number) => void;
    resolve(hostname)
      .then((found) => {
        const wanted = options.family === 4 || options.family === 6 ? found.filter((a) => a.family === options.family) : found;
        if (wanted.length === 0) throw Object.assign(new Error(`no address found for ${hostname}`), { code: 'ENOTFOUND' });
        if (!rules.hostAllowed(hostname)) {
          for (const a of wanted) {
            const why = rules.addressRefusal(a.address);
            if (why) throw new AirlockError('delivery_failed', `callback to ${hostname} refused: ${why}`, { retry: false });
          }
        }
        if (options.all) reply(null, wanted);
        else reply(null, wanted[0]!.address, wanted[0]!.family);
      })
      .catch((err: Error) => reply(err, ''));
  };
}
