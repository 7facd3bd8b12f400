import { AirlockClientError } from './errors.js';
import { gateOutcome, type GateOutcome } from './gate-outcome.js';
import { aborted, call, type RetryPolicy, type Transport } from './http.js';
import type { AirlockOptions, GateOptions, ListQuery, RequestOptions, SubmitOptions, WaitOptions } from './options.js';
import { parseAction, parseActionList, parseAgentProfile } from './parse-answer.js';
import type { Action, ActionList, ActionRequest, AgentProfile, ResultReport } from './types.js';
import { wrapTool, type GatedTool, type WrapToolOptions } from './wrap-tool.js';

const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 250, maxDelayMs: 5_000 };
const MAX_POLL_SECONDS = 60;

/**
 * Airlock's agent API. Every method fails closed: it returns an answer
 * Airlock really gave, or throws an AirlockClientError saying what went
 * wrong; nothing here ever turns an error into permission.
 */
export class Airlock {
  readonly #t: Transport;

  constructor(opts: AirlockOptions) {
    if (!opts.url) throw new TypeError('Airlock: url is required');
    if (!opts.agentKey) throw new TypeError('Airlock: agentKey is required');
    const f = opts.fetch ?? globalThis.fetch;
    if (typeof f !== 'function') throw new TypeError('Airlock: no fetch available; pass one');
    this.#t = {
      baseUrl: opts.url.endsWith('/') ? opts.url : `${opts.url}/`,
      agentKey: opts.agentKey,
      fetch: f.bind(globalThis),
      requestTimeoutMs: opts.requestTimeoutMs ?? 10_000,
      retry: { ...DEFAULT_RETRY, ...opts.retry },
    };
  }

  /** POST /v1/actions: Airlock's decision on one action (for a queued one, `status: pending`). */
  async submit(action: ActionRequest, opts: SubmitOptions & { deadline?: number } = {}): Promise<Action> {
    const key = opts.idempotencyKey ?? crypto.randomUUID();
    const answer = await call(this.#t, {
      method: 'POST',
      path: 'v1/actions',
      body: action,
      headers: { 'idempotency-key': key },
      idempotent: true,
      signal: opts.signal,
      deadline: opts.deadline,
    });
    return expectAction(parseAction(answer.json, 'POST /v1/actions'), { tool: action.tool }, 'POST /v1/actions');
  }

  /** GET /v1/actions/:id, optionally holding up to `waitSeconds` (≤ 60) while it is pending. */
  async getAction(id: string, opts: RequestOptions & { waitSeconds?: number; deadline?: number } = {}): Promise<Action> {
    const wait = Math.max(0, Math.min(MAX_POLL_SECONDS, Math.floor(opts.waitSeconds ?? 0)));
    const answer = await call(this.#t, {
      method: 'GET',
      path: `v1/actions/${encodeURIComponent(id)}${wait > 0 ? `?wait=${wait}` : ''}`,
      idempotent: true,
      timeoutMs: wait * 1000 + this.#t.requestTimeoutMs,
      signal: opts.signal,
      deadline: opts.deadline,
    });
    return expectAction(parseAction(answer.json, `GET /v1/actions/${id}`), { id }, `GET /v1/actions/${id}`);
  }

  /** Long-polls (in chunks of at most 60 s) until the action leaves `pending`, and returns it. */
  async waitForDecision(id: string, opts: WaitOptions & { deadline?: number } = {}): Promise<Action> {
    const deadline = opts.deadline ?? (opts.timeoutMs === undefined ? undefined : Date.now() + opts.timeoutMs);
    const poll = Math.max(1, Math.min(MAX_POLL_SECONDS, opts.pollSeconds ?? MAX_POLL_SECONDS));
    for (;;) {
      if (opts.signal?.aborted) throw aborted(`waiting for action ${id}`, 0).withAction(id);
      const left = deadline === undefined ? Infinity : deadline - Date.now();
      if (left <= 0) {
        throw new AirlockClientError('timeout', `action ${id} was still pending when the wait of ${opts.timeoutMs ?? 'the caller'} ms ran out; treat it as not allowed`, {
          actionId: id,
        });
      }
      const waitSeconds = Math.max(1, Math.min(poll, Math.floor(left / 1000)));
      const action = await this.getAction(id, { waitSeconds, signal: opts.signal, deadline }).catch((e: unknown) => {
        throw e instanceof AirlockClientError ? e.withAction(id) : e;
      });
      if (action.status !== 'pending') return action;
      await opts.onPending?.(action);
    }
  }

  /**
   * Submits the action and waits until it is decided, then says what the agent
   * may do. Never `execute: true` unless Airlock allowed or approved this very
   * action; every failure throws. A queued action waits for reviewers across
   * as many long polls as it takes (or until `timeoutMs`).
   */
  async gate(action: ActionRequest, opts: GateOptions = {}): Promise<GateOutcome> {
    const deadline = opts.timeoutMs === undefined ? undefined : Date.now() + opts.timeoutMs;
    let decided = await this.submit(action, { ...opts, deadline });
    if (decided.status === 'pending') {
      await opts.onPending?.(decided);
      decided = expectAction(await this.waitForDecision(decided.id, { ...opts, deadline }), { tool: action.tool }, `GET /v1/actions/${decided.id}`);
    }
    return gateOutcome(decided, action.args ?? {});
  }

  /**
   * POST /v1/actions/:id/result, once per action. `args` are the arguments
   * executed, in full (a GateOutcome's `args`): Airlock checks them against
   * what was approved and records a mismatch as a violation. Retried where a
   * repeat is harmless: a second report is refused, and a refusal after a lost
   * answer is resolved by reading the action back.
   */
  async reportResult(action: string | Pick<Action, 'id'>, report: ResultReport, opts: RequestOptions = {}): Promise<Action> {
    const id = typeof action === 'string' ? action : action.id;
    const path = `v1/actions/${encodeURIComponent(id)}/result`;
    let attempt = 0;
    for (;;) {
      attempt++;
      try {
        const answer = await call(this.#t, { method: 'POST', path, body: report, idempotent: false, signal: opts.signal });
        return expectAction(parseAction(answer.json, `POST /${path}`), { id }, `POST /${path}`);
      } catch (e) {
        if (!(e instanceof AirlockClientError)) throw e;
        const transient = e.kind === 'unreachable' || e.kind === 'timeout' || (e.kind === 'http' && (e.status ?? 0) >= 500);
        if (e.kind === 'http' && e.status === 409 && attempt > 1) {
          // Our earlier attempt may have landed before its answer was lost.
          const current = await this.getAction(id, opts);
          if (current.result?.outcome === report.outcome) return current;
        }
        if (!transient || attempt >= this.#t.retry.attempts) throw e.withAction(id);
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(this.#t.retry.maxDelayMs, this.#t.retry.baseDelayMs * 2 ** (attempt - 1))));
      }
    }
  }

  /** GET /v1/actions: one page of this agent's own actions, newest first; `next_cursor` asks for the next. */
  async list(query: ListQuery = {}, opts: RequestOptions = {}): Promise<ActionList> {
    const params = new URLSearchParams();
    const at = (t: Date | string) => (typeof t === 'string' ? t : t.toISOString());
    if (query.status !== undefined) params.set('status', query.status);
    if (query.tool !== undefined) params.set('tool', query.tool);
    if (query.since !== undefined) params.set('since', at(query.since));
    if (query.until !== undefined) params.set('until', at(query.until));
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    if (query.cursor !== undefined) params.set('cursor', query.cursor);
    const search = params.toString() ? `?${params}` : '';
    const answer = await call(this.#t, { method: 'GET', path: `v1/actions${search}`, idempotent: true, signal: opts.signal });
    return parseActionList(answer.json, 'GET /v1/actions', query);
  }

  /**
   * Every action `list` would page through, newest first, fetching each page
   * as the previous one is consumed (stop reading and no further page is
   * asked for). A cursor handed out twice would page in a circle: that ends
   * the listing with a `malformed` error.
   */
  async *listAll(query: Omit<ListQuery, 'cursor'> = {}, opts: RequestOptions = {}): AsyncGenerator<Action, void, undefined> {
    const seen = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await this.list({ ...query, cursor }, opts);
      if (page.next_cursor !== null && seen.has(page.next_cursor)) {
        throw new AirlockClientError('malformed', `Airlock answered GET /v1/actions with a cursor it had handed out before, after ${seen.size + 1} pages; the listing is not read further`);
      }
      cursor = page.next_cursor ?? undefined;
      if (cursor) seen.add(cursor);
      yield* page.actions;
    } while (cursor);
  }

  /** GET /v1/agent: the tools the policy registers for this agent, and its MCP settings. */
  async agent(opts: RequestOptions = {}): Promise<AgentProfile> {
    const answer = await call(this.#t, { method: 'GET', path: 'v1/agent', idempotent: true, signal: opts.signal });
    return parseAgentProfile(answer.json, 'GET /v1/agent');
  }

  /** An async function that runs only when Airlock allows it (see wrapTool). */
  wrapTool<A extends Record<string, unknown>, R, N = never>(
    fn: (args: A, ctx: { outcome: GateOutcome }) => Promise<R> | R,
    opts: WrapToolOptions<A, R, N>,
  ): GatedTool<A, R | N> {
    return wrapTool(this, fn, opts);
  }
}

/**
 * An answer about another action or another tool than the one asked about
 * (a confused proxy or cache, a bug) is not a decision on this one: acting on
 * it could run a tool nobody allowed.
 */
function expectAction(action: Action, expected: { id?: string; tool?: string }, where: string): Action {
  if (expected.id !== undefined && action.id !== expected.id) {
    throw new AirlockClientError('malformed', `Airlock answered ${where} with another action (${action.id}); treat the action as not allowed`, { actionId: expected.id });
  }
  if (expected.tool !== undefined && action.tool !== expected.tool) {
    throw new AirlockClientError('malformed', `Airlock answered ${where} about another tool (${action.tool.slice(0, 80)}, not ${expected.tool}); treat the action as not allowed`, {
      actionId: action.id,
    });
  }
  return action;
}
