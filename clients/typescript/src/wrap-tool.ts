import { AirlockClientError } from './errors.js';
import type { GateOptions } from './options.js';
import type { GateOutcome } from './gate-outcome.js';
import type { Action, ActionRequest, Requester, ResultReport } from './types.js';

/** The two calls a gated tool makes (an Airlock client). */
export interface Gatekeeper {
  gate(action: ActionRequest, opts?: GateOptions): Promise<GateOutcome>;
  reportResult(action: Pick<Action, 'id'>, report: ResultReport): Promise<Action>;
}

type Restricted = 'search_only' | 'draft_write';

export interface WrapToolOptions<A extends Record<string, unknown>, R, N = never> {
  /** The tool's name as registered in the policy. */
  tool: string;
  /** What the call does, for the reviewer's card: text, or made from the arguments. */
  summary?: string | ((args: A) => string);
  /** On whose behalf the agent acts. */
  requester: Requester | ((args: A) => Requester);
  workflow?: string;
  environment?: string;
  sessionId?: string;
  context?: Record<string, unknown> | ((args: A) => Record<string, unknown>);
  target?: string | ((args: A) => string);
  /**
   * How to run in a restricted mode Airlock may answer with (`constrain` or
   * `fallback`): e.g. `draft_write: (args) => saveDraft(args)`. A mode without
   * a handler does not run at all.
   */
  modes?: Partial<Record<Restricted, (args: A, ctx: { outcome: GateOutcome }) => Promise<R> | R>>;
  /**
   * What the gated function returns when nothing ran (denied, expired,
   * recorded only, a restricted mode without handler). Default: it throws an
   * ActionNotExecutedError whose message tells the model why.
   */
  onNotExecuted?: (outcome: GateOutcome) => Promise<N> | N;
  /** Report the outcome after running (default true). */
  reportResult?: boolean;
  /** A report that could not be delivered after running; the tool's own result is still returned (default: console.error). */
  onReportError?: (error: unknown, action: Action) => void;
  /** Passed to `gate` on every call. */
  gate?: Pick<GateOptions, 'timeoutMs' | 'pollSeconds' | 'onPending'>;
}

export type GatedTool<A, R> = (args: A, opts?: { signal?: AbortSignal; idempotencyKey?: string }) => Promise<R>;

/** Thrown by a gated tool that did not run, with the gate's outcome; its message is meant for the model. */
export class ActionNotExecutedError extends Error {
  constructor(readonly outcome: GateOutcome) {
    super(`Airlock did not let ${outcome.action.tool} run: ${outcome.reason}`);
    this.name = 'ActionNotExecutedError';
  }
}

const pick = <A, T>(v: T | ((args: A) => T) | undefined, args: A): T | undefined => (typeof v === 'function' ? (v as (a: A) => T)(args) : v);

/**
 * Turns an async function into one that asks Airlock first. Semantics:
 * - allowed or approved: `fn` runs with the arguments to execute (the
 *   approved ones after "approve with changes"), and its outcome is reported
 *   (`succeeded`, or `failed` when it throws; the error is rethrown);
 * - `constrain`/`fallback` to `search_only` or `draft_write`: the handler in
 *   `modes` for that mode runs instead, and is reported; without one, nothing runs;
 * - anything else (deny, denied, expired, observe, off): nothing runs;
 *   `onNotExecuted` decides the return value, or an ActionNotExecutedError is thrown;
 * - Airlock unreachable, erroring, slow or unintelligible: the AirlockClientError
 *   is thrown and nothing runs.
 */
export function wrapTool<A extends Record<string, unknown>, R, N = never>(
  airlock: Gatekeeper,
  fn: (args: A, ctx: { outcome: GateOutcome }) => Promise<R> | R,
  opts: WrapToolOptions<A, R, N>,
): GatedTool<A, R | N> {
  return async (args, call = {}) => {
    const request: ActionRequest = {
      tool: opts.tool,
      args,
      requester: pick(opts.requester, args)!,
      ...(opts.summary === undefined ? {} : { summary: pick(opts.summary, args) }),
      ...(opts.workflow === undefined ? {} : { workflow: opts.workflow }),
      ...(opts.environment === undefined ? {} : { environment: opts.environment }),
      ...(opts.sessionId === undefined ? {} : { session_id: opts.sessionId }),
      ...(opts.context === undefined ? {} : { context: pick(opts.context, args) }),
      ...(opts.target === undefined ? {} : { target: pick(opts.target, args) }),
    };
    const outcome = await airlock.gate(request, { ...opts.gate, ...call });
    // Whatever Gatekeeper answered, a decision on another tool never runs this one.
    if (outcome.action.tool !== opts.tool) {
      throw new AirlockClientError('malformed', `Airlock's decision is about another tool (${String(outcome.action.tool).slice(0, 80)}, not ${opts.tool}); ${opts.tool} was not run`, {
        actionId: outcome.action.id,
      });
    }
    const run = outcome.execute ? fn : outcome.mode === 'search_only' || outcome.mode === 'draft_write' ? opts.modes?.[outcome.mode] : undefined;
    if (!run) {
      if (opts.onNotExecuted) return opts.onNotExecuted(outcome);
      throw new ActionNotExecutedError(outcome);
    }
    const runArgs = outcome.args as A;
    const report = async (result: 'succeeded' | 'failed', detail?: string) => {
      if (opts.reportResult === false) return;
      try {
        await airlock.reportResult(outcome.action, { outcome: result, args: outcome.args, ...(detail ? { detail: detail.slice(0, 1000) } : {}) });
      } catch (e) {
        (opts.onReportError ?? ((err: unknown) => console.error(`airlock: could not report the result of ${outcome.action.id}: ${(err as Error).message}`)))(e, outcome.action);
      }
    };
    let value: R | N;
    try {
      value = await run(runArgs, { outcome });
    } catch (e) {
      await report('failed', e instanceof Error ? e.message : String(e));
      throw e;
    }
    await report('succeeded', outcome.execute ? undefined : `ran in mode ${outcome.mode}`);
    return value;
  };
}
