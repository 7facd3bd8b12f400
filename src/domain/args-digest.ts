import { createHmac, createSecretKey } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

/**
 * Every digest of arguments Airlock stores or returns is keyed with
 * AIRLOCK_SECRET (HMAC-SHA256), which never enters the database: an unkeyed
 * SHA-256 of arguments that contain a redacted 4-digit PIN gives the PIN back
 * in ten thousand guesses. Purposes are separated so one digest can never
 * stand in for another.
 */
export interface ArgsDigests {
  /** The arguments exactly as submitted (redacted values included): what a result is checked against. */
  submitted(args: unknown): string;
  /**
   * The binding of one version of the arguments: the submitted digest plus the
   * version's redacted view. Edits never touch redacted paths, so this pair
   * names exactly one set of full arguments. Returned as `args_sha256`;
   * approvals record the one they approved.
   */
  binding(submittedDigest: string, view: unknown): string;
  /**
   * Both digests of a new submission; `view` (the redacted arguments) is often
   * `args` itself, read once then. `viewJson` is the view's canonical JSON,
   * which the digests read anyway: the store writes it as is.
   */
  submission(args: unknown, view: unknown): { submitted: string; binding: string; viewJson: string };
  /** An Idempotency-Key request body, to tell a replay from a different request. */
  request(body: unknown): string;
}

export function makeArgsDigests(secret: string): ArgsDigests {
  const key = createSecretKey(Buffer.from(secret));
  const mac = (purpose: string, text: string) => createHmac('sha256', key).update(`airlock:${purpose}\n`).update(text).digest('hex');
  const binding = (submittedDigest: string, viewJson: string) => mac('args-binding', `${submittedDigest}\n${viewJson}`);
  return {
    submitted: (args) => mac('args-submitted', canonicalJson(args)),
    binding: (submittedDigest, view) => binding(submittedDigest, canonicalJson(view)),
    submission: (args, view) => {
      const argsJson = canonicalJson(args);
      const submitted = mac('args-submitted', argsJson);
      const viewJson = view === args ? argsJson : canonicalJson(view);
      return { submitted, binding: binding(submitted, viewJson), viewJson };
    },
    request: (body) => mac('request', canonicalJson(body)),
  };
}
