/** Attribute values a span may carry: names and codes the policy and Airlock declare, never a request's content. */
export type SpanAttributes = Record<string, string | number | boolean | undefined>;

/** What the span stands for, as a trace viewer groups it. */
export type SpanKind = 'server' | 'client' | 'internal';

export interface SpanOptions {
  kind?: SpanKind;
  /**
   * The W3C `traceparent` this span continues: an agent's request header, or
   * the one stored with an action when the work happens later (possibly in
   * another process). Absent or malformed: the span starts a trace of its own.
   */
  parent?: string;
  attributes?: SpanAttributes;
}

export interface ActiveSpan {
  /** Adds attributes learnt while the work runs (a decision, an outcome). */
  set(attributes: SpanAttributes): void;
  /**
   * This span's context as a W3C `traceparent`, to store with durable state
   * or send on in a request header, so that what follows joins the trace.
   * Undefined when tracing is off.
   */
  traceparent(): string | undefined;
}

/**
 * Traces the work of the use cases. A span ends when `run` settles; when
 * `run` throws, the span is marked failed with the error's stable code (or
 * its class name) as `error.type`, never its message, which may quote input.
 *
 * Left out on purpose: events, links, baggage and `tracestate` (only
 * `traceparent` is carried through stored state), and any notion of an
 * active span: a span's parent is always passed explicitly.
 */
export interface Tracer {
  span<T>(name: string, opts: SpanOptions, run: (span: ActiveSpan) => Promise<T>): Promise<T>;
}

const NO_SPAN: ActiveSpan = { set: () => undefined, traceparent: () => undefined };

/** Tracing off: the work runs as it is, nothing is recorded or propagated. */
export const noTracing: Tracer = { span: (_name, _opts, run) => run(NO_SPAN) };
