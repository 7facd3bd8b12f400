import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  defaultTextMapGetter,
  defaultTextMapSetter,
  trace,
  type Attributes,
  type Span,
  type TextMapPropagator,
  type Tracer as OtelTracer,
} from '@opentelemetry/api';
import type { ActiveSpan, SpanAttributes, SpanKind as PortSpanKind, TraceContext, Tracer } from '../../ports/tracer.js';

const KINDS: Record<PortSpanKind, SpanKind> = { server: SpanKind.SERVER, client: SpanKind.CLIENT, internal: SpanKind.INTERNAL };

/** A stable, low-cardinality name for what went wrong: a code or a class name, never a message. */
export function errorType(err: unknown): string {
  if (!(err instanceof Error)) return '_OTHER';
  const code = (err as { code?: unknown }).code;
  // A subclass names itself (RateLimited); a plain AirlockError or a system error is known by its code.
  if (err.name !== 'Error' && err.name !== 'AirlockError') return err.name;
  return typeof code === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(code) ? code : err.name;
}

const defined = (attributes: SpanAttributes | undefined): Attributes => {
  const out: Attributes = {};
  for (const [k, v] of Object.entries(attributes ?? {})) if (v !== undefined) out[k] = v;
  return out;
};

/**
 * The tracer port over the OpenTelemetry API, with the tracer and the W3C
 * propagator given by the composition root. Parents travel as `traceparent`
 * and `tracestate` strings only, so nothing depends on an active context (no
 * context manager is needed, and none is consulted). A span carries on its
 * parent's tracestate as it came (the SDK's parser drops what it cannot
 * read); the tracer adds no entry of its own.
 */
export function createOtelTracer(deps: { tracer: OtelTracer; propagator: TextMapPropagator }): Tracer {
  const contextOf = (span: Span): TraceContext | undefined => {
    const carrier: Partial<TraceContext> = {};
    deps.propagator.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, defaultTextMapSetter);
    if (!carrier.traceparent) return undefined;
    return { traceparent: carrier.traceparent, ...(carrier.tracestate ? { tracestate: carrier.tracestate } : {}) };
  };
  return {
    async span(name, opts, run) {
      const parent = opts.parent ? deps.propagator.extract(ROOT_CONTEXT, { ...opts.parent }, defaultTextMapGetter) : ROOT_CONTEXT;
      const span = deps.tracer.startSpan(name, { kind: KINDS[opts.kind ?? 'internal'], attributes: defined(opts.attributes) }, parent);
      const active: ActiveSpan = {
        set: (attributes) => {
          if (span.isRecording()) span.setAttributes(defined(attributes));
        },
        context: () => contextOf(span),
      };
      try {
        return await run(active);
      } catch (err) {
        span.setAttribute('error.type', errorType(err));
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw err;
      } finally {
        span.end();
      }
    },
  };
}
