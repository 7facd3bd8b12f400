import type { RetryPolicy } from './http.js';
import type { Action, ActionStatus } from './types.js';

export interface AirlockOptions {
  /** Airlock's base URL, e.g. `http://127.0.0.1:3000`. */
  url: string;
  /** The agent's key (`npm run airlock -- agent create`). */
  agentKey: string;
  /** Timeout of one request, a long poll's wait not included (default 10 s). */
  requestTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** A fetch implementation (default: the global one). */
  fetch?: typeof fetch;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

export interface SubmitOptions extends RequestOptions {
  /** Sent as Idempotency-Key; generated when absent, so the retries of one call can never create a second action. */
  idempotencyKey?: string;
}

export interface WaitOptions extends RequestOptions {
  /** Give up waiting after this long (the action stays pending on the server). Default: wait until Airlock decides it. */
  timeoutMs?: number;
  /** Seconds per long poll (1–60, default 60: the server's cap). */
  pollSeconds?: number;
  /** Called with the still-pending action after submitting and after each long poll. */
  onPending?: (action: Action) => void | Promise<void>;
}

export interface GateOptions extends SubmitOptions, WaitOptions {}

/** GET /v1/actions: which of this agent's actions, and where to resume. */
export interface ListQuery {
  status?: ActionStatus;
  tool?: string;
  /** Created at or after (a Date, or ISO 8601 text with a time zone). */
  since?: Date | string;
  /** Created before. */
  until?: Date | string;
  /** Actions per page, 1–200 (Airlock's default: 50). */
  limit?: number;
  /** `next_cursor` of the previous page, asked with the same filters. */
  cursor?: string;
}
