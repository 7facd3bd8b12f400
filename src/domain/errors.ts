/**
 * Every failure Airlock raises on purpose is an AirlockError with a stable
 * `code`. HTTP maps codes to statuses in one place (http/error-handler.ts);
 * queue processors map `retry === false` to BullMQ's UnrecoverableError.
 * Messages must never contain secrets or redacted argument values.
 */
export type ErrorCode =
  | 'validation_failed'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'idempotency_conflict'
  | 'payload_too_large'
  | 'rate_limited'
  | 'unavailable'
  | 'policy_invalid'
  | 'delivery_failed'
  | 'internal';

export interface ErrorDetail {
  path: string;
  message: string;
}

export class AirlockError extends Error {
  readonly code: ErrorCode;
  readonly retry: boolean;
  readonly details: ErrorDetail[];
  readonly context: Record<string, unknown>;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { retry?: boolean; details?: ErrorDetail[]; context?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'AirlockError';
    this.code = code;
    this.retry = opts.retry ?? false;
    this.details = opts.details ?? [];
    this.context = opts.context ?? {};
  }
}

export const notFound = (what: string) => new AirlockError('not_found', `${what} not found`);
export const conflict = (message: string, context: Record<string, unknown> = {}) =>
  new AirlockError('conflict', message, { context });
export const unavailable = (message: string, cause?: unknown) =>
  new AirlockError('unavailable', message, { retry: true, cause });
