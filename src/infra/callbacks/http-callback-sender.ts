import http from 'node:http';
import https from 'node:https';
import { AirlockError } from '../../domain/errors.js';
import type { CallbackSender } from '../../ports/callback-sender.js';
import type { CallbackTargetRules } from './callback-targets.js';
import { guardedLookup, systemResolveHost, type ResolveHost } from './guarded-lookup.js';

/**
 * How long a receiver has to answer (connection and response headers).
 * Short: a webhook receiver should acknowledge and work afterwards, and a
 * silent one is retried with backoff rather than holding a delivery slot.
 */
export const CALLBACK_TIMEOUT_MS = 5_000;

/**
 * Callbacks over node:http(s). The target is checked as written and then, at
 * connect time, on every address its name resolves to; the socket connects
 * to a checked address. Redirects are not followed (a signed body goes only
 * where the agent said).
 */
export function createHttpCallbackSender(opts: { rules: CallbackTargetRules; resolve?: ResolveHost; timeoutMs?: number }): CallbackSender {
  const lookup = guardedLookup(opts.rules, opts.resolve ?? systemResolveHost);
  const timeoutMs = opts.timeoutMs ?? CALLBACK_TIMEOUT_MS;
  return {
    send(url, body, headers) {
      const refused = opts.rules.refusal(url);
      if (refused) return Promise.reject(new AirlockError('delivery_failed', `callback_url refused: ${refused}`, { retry: false }));
      const target = new URL(url);
      const client = target.protocol === 'https:' ? https : http;
      return new Promise((resolve, reject) => {
        const req = client.request(
          target,
          { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, lookup, signal: AbortSignal.timeout(timeoutMs) },
          (res) => {
            // Only the status matters; the body is drained so the connection can be reused.
            res.resume();
            res.on('error', () => undefined);
            resolve({ status: res.statusCode ?? 0 });
          },
        );
        req.on('error', (err: Error) => {
          if (err instanceof AirlockError) reject(err);
          else if (err.name === 'AbortError' || err.name === 'TimeoutError') reject(new AirlockError('delivery_failed', `callback receiver did not answer within ${timeoutMs} ms`, { retry: true }));
          else reject(err);
        });
        req.end(body);
      });
    },
  };
}
