import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { AlwaysOnSampler, BasicTracerProvider, InMemorySpanExporter, ParentBasedSampler, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { AirlockError } from '../../../../src/domain/errors.js';
import { RateLimited } from '../../../../src/domain/rate-limited.js';
import { createOtelTracer, errorType } from '../../../../src/infra/telemetry/otel-tracer.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({
  sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }),
  spanProcessors: [new SimpleSpanProcessor(exporter)],
});
const tracer = createOtelTracer({ tracer: provider.getTracer('test'), propagator: new W3CTraceContextPropagator() });
afterEach(() => exporter.reset());

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';

describe('the OpenTelemetry tracer behind the tracer port', () => {
  it("continues the parent's trace and names itself in its traceparent", async () => {
    const carried = await tracer.span('airlock.intake', { kind: 'server', parent: `00-${TRACE}-${PARENT}-01`, attributes: { 'airlock.tenant': 'acme', absent: undefined } }, async (span) => {
      span.set({ 'airlock.decision': 'allow' });
      return span.traceparent();
    });
    const [span] = exporter.getFinishedSpans();
    expect(span!.spanContext().traceId).toBe(TRACE);
    expect(span!.parentSpanContext?.spanId).toBe(PARENT);
    expect(span!.kind).toBe(1); // SpanKind.SERVER in the API's numbering
    expect(span!.attributes).toEqual({ 'airlock.tenant': 'acme', 'airlock.decision': 'allow' });
    expect(carried).toBe(`00-${TRACE}-${span!.spanContext().spanId}-01`);
  });

  it('starts a trace of its own from a malformed or absent parent', async () => {
    await tracer.span('a', { parent: 'not-a-traceparent' }, async () => undefined);
    await tracer.span('b', {}, async () => undefined);
    for (const span of exporter.getFinishedSpans()) {
      expect(span.parentSpanContext).toBeUndefined();
      expect(span.spanContext().traceId).not.toBe(TRACE);
    }
  });

  it("follows a parent's decision not to sample, and hands that decision on", async () => {
    const carried = await tracer.span('airlock.review', { parent: `00-${TRACE}-${PARENT}-00` }, async (span) => {
      span.set({ 'airlock.review.outcome': 'accepted' });
      return span.traceparent();
    });
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    expect(carried).toMatch(new RegExp(`^00-${TRACE}-[0-9a-f]{16}-00$`));
  });

  it('marks a failure with its stable code, never its message', async () => {
    const err = new AirlockError('delivery_failed', 'callback to https://agent.example/?token=s3cret answered 500', { retry: true });
    await expect(tracer.span('airlock.callback', { kind: 'client' }, async () => Promise.reject(err))).rejects.toBe(err);
    const [span] = exporter.getFinishedSpans();
    expect(span!.status).toEqual({ code: 2 });
    expect(span!.attributes).toEqual({ 'error.type': 'delivery_failed' });
    expect(span!.events).toEqual([]);
    expect(JSON.stringify(span!.attributes)).not.toContain('s3cret');
  });

  it.each([
    [new RateLimited(1_000, 'the card'), 'RateLimited'],
    [Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' }), 'ECONNREFUSED'],
    [new TypeError('x is undefined'), 'TypeError'],
    [Object.assign(new Error('odd'), { code: 'has spaces and a value' }), 'Error'],
    ['a string thrown', '_OTHER'],
  ])('names the error %s as %s', (err, type) => {
    expect(errorType(err)).toBe(type);
  });
});
