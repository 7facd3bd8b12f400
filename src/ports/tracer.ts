/** Attribute values a span may carry: names and codes the policy and Airlock declare, never a request's content. */
export type SpanAttributes = Record<string, string | number | boolean | undefined>;

/** What the span stands for, as a trace viewer groups it. */
export type SpanKind = 'server' | 'client' | 'internal';

/**
 * A W3C trace context as it travels between processes: an agent's request
 * headers, the columns stored with an action, a callback's headers.
 */
export interface TraceContext {
  traceparent: string;
  /**
   * The vendors' entries that travel with the trace (`tracestate`), at most
   * 512 characters and 32 members: whoever reads it from a request bounds it
   * first, and drops one that is malformed or too long.
   */
  tracestate?: string;
}

export interface SpanOptions {
  kind?: SpanKind;
  /**
   * The trace context this span continues: an agent's request headers, or
   * the one stored with an action when the work happens later (possibly in
   * another process). Absent or a malformed traceparent: the span starts a
   * trace of its own (and a tracestate without its traceparent is ignored).
   */
  parent?: TraceContext;
  attributes?: SpanAttributes;
}

export interface ActiveSpan {
  /** Adds attributes learnt while the work runs (a decision, an outcome). */
  set(attributes: SpanAttributes): void;
  /**
   * This span's context (`traceparent`, and the parent's `tracestate` it
   * carries on), to store with durable state or send on in request headers,
   * so that what follows joins the trace. Undefined when tracing is off.
   */
  context(): TraceContext | undefined;
}

/**
 * Traces the work of the use cases. A span ends when `run` settles; when
 * `run` throws, the span is marked failed with the error's stable code (or
 * its class name) as `error.type`, never its message, which may quote input.
 *
 * Left out on purpose: events, links, baggage, and any notion of an active
 * span: a span's parent is always passed explicitly. Airlock adds no
 * tracestate entry of its own; it carries on the agent's.
 */
export interface Tracer {
  span<T>(name: string, opts: SpanOptions, run: (span: ActiveSpan) => Promise<T>): Promise<T>;
}

const NO_SPAN: ActiveSpan = { set: () => undefined, context: () => undefined };

/** Tracing off: the work runs as it is, nothing is recorded or propagated. */
export const noTracing: Tracer = { span: (_name, _opts, run) => run(NO_SPAN) };
