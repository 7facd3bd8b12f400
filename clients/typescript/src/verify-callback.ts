import { AirlockClientError } from './errors.js';
import { parseAction } from './parse-answer.js';
import type { Action } from './types.js';

export interface VerifyCallbackOptions {
  /** How far the signature's timestamp may be from now, either way (default 300 s): an old capture cannot be replayed later. */
  toleranceSeconds?: number;
  /** Now, in ms since the epoch (for tests). */
  now?: number;
}

const encoder = new TextEncoder();

/**
 * Verifies a callback Airlock POSTed to the agent's `callback_url` and returns
 * the action it carries. `rawBody` is the request body exactly as received
 * (verify before parsing: re-serialised JSON does not match), `header` the
 * `Airlock-Signature` value (`t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`),
 * `secret` the agent's callback secret from `agent create`. Throws an
 * AirlockClientError of kind `signature` when anything is off; the digest
 * comparison takes the same time wherever the first difference is.
 * Web Crypto only, so it runs on Node ≥ 20 and edge runtimes alike.
 */
export async function verifyCallback(
  rawBody: string | Uint8Array,
  header: string | null | undefined,
  secret: string,
  opts: VerifyCallbackOptions = {},
): Promise<Action> {
  const refuse = (why: string) => new AirlockClientError('signature', `callback refused: ${why}`);
  if (!secret) throw refuse('no callback secret configured');
  if (!header) throw refuse('no Airlock-Signature header');
  let t: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) t = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) signatures.push(value.toLowerCase());
  }
  if (t === undefined || signatures.length === 0) throw refuse('the Airlock-Signature header is not t=<unix>,v1=<hex>');
  const now = (opts.now ?? Date.now()) / 1000;
  const tolerance = opts.toleranceSeconds ?? 300;
  if (Math.abs(now - t) > tolerance) throw refuse(`the signature's timestamp is ${Math.round(now - t)} s away from now (tolerance ${tolerance} s)`);

  const body = typeof rawBody === 'string' ? encoder.encode(rawBody) : rawBody;
  const prefix = encoder.encode(`${t}.`);
  const signed = new Uint8Array(prefix.length + body.length);
  signed.set(prefix, 0);
  signed.set(body, prefix.length);
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const expected = toHex(new Uint8Array(await crypto.subtle.sign('HMAC', key, signed)));
  // Every candidate is compared in full, so timing says nothing about which bytes matched.
  let ok = false;
  for (const candidate of signatures) ok = constantTimeEqual(candidate, expected) || ok;
  if (!ok) throw refuse('the signature does not match (wrong secret, or the body was changed)');

  let json: unknown;
  try {
    json = JSON.parse(typeof rawBody === 'string' ? rawBody : new TextDecoder().decode(rawBody));
  } catch {
    throw new AirlockClientError('malformed', 'callback body is not JSON');
  }
  return parseAction(json, 'the callback');
}

const toHex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** Equal-length strings compared without an early exit. */
function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
