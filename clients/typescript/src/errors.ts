/**
 * Why a call to Airlock did not give an answer the agent may act on. Every
 * kind means the same thing to the agent: do not execute. The message says
 * what happened, for logs and for a model that needs to adapt.
 *
 * - `unreachable`: no HTTP answer (connection refused or reset, DNS), after the retries that were safe
 * - `timeout`: no answer within the request timeout, or the action was still pending when `gate`'s `timeoutMs` ran out
 * - `http`: Airlock answered with an error status (`code`, `details` from its error body)
 * - `malformed`: a 2xx answer that is not the JSON Airlock sends (a proxy page, a truncated body, missing fields)
 * - `unknown_decision`: a decision, status or mode this client does not know: never guessed at
 * - `aborted`: the caller's `signal` aborted
 * - `signature`: a callback whose signature or timestamp does not verify
 */
export type AirlockErrorKind = 'unreachable' | 'timeout' | 'http' | 'malformed' | 'unknown_decision' | 'aborted' | 'signature';

export interface AirlockErrorDetail {
  path: string;
  message: string;
}

export class AirlockClientError extends Error {
  readonly kind: AirlockErrorKind;
  /** HTTP status, when Airlock (or something in front of it) answered. */
  readonly status?: number;
  /** Airlock's error code (`validation_failed`, `unavailable`, ...), when the answer carried one. */
  readonly code?: string;
  readonly details: AirlockErrorDetail[];
  /** The action concerned, when one exists (a gate that timed out can be resumed with `waitForDecision`). */
  readonly actionId?: string;
  /** Requests made before giving up. */
  readonly attempts: number;

  constructor(
    kind: AirlockErrorKind,
    message: string,
    opts: { status?: number; code?: string; details?: AirlockErrorDetail[]; actionId?: string; attempts?: number; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'AirlockClientError';
    this.kind = kind;
    this.status = opts.status;
    this.code = opts.code;
    this.details = opts.details ?? [];
    this.actionId = opts.actionId;
    this.attempts = opts.attempts ?? 1;
  }

  /** The same error about a known action. */
  withAction(actionId: string): AirlockClientError {
    if (this.actionId) return this;
    return new AirlockClientError(this.kind, `${this.message} (action ${actionId})`, { ...this, actionId, cause: this.cause });
  }
}
