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
    const carried = await tracer.span('airlock.intake', { kind: 'server', parent: { traceparent: `00-${TRACE}-${PARENT}-01` }, attributes: { 'airlock.tenant': 'acme', absent: undefined } }, async (span) => {
      span.set({ 'airlock.decision': 'allow' });
      return span.context();
    });
    const [span] = exporter.getFinishedSpans();
    expect(span!.spanContext().traceId).toBe(TRACE);
    expect(span!.parentSpanContext?.spanId).toBe(PARENT);
    expect(span!.kind).toBe(1); // SpanKind.SERVER in the API's numbering
    expect(span!.attributes).toEqual({ 'airlock.tenant': 'acme', 'airlock.decision': 'allow' });
    expect(carried).toEqual({ traceparent: `00-${TRACE}-${span!.spanContext().spanId}-01` });
  });

  it("carries the parent's tracestate on, in its own context and its children's", async () => {
    const tracestate = 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE';
    const carried = await tracer.span('airlock.intake', { parent: { traceparent: `00-${TRACE}-${PARENT}-01`, tracestate } }, async (span) => span.context());
    expect(carried?.tracestate).toBe(tracestate);
    const child = await tracer.span('airlock.callback', { parent: carried }, async (span) => span.context());
    expect(child).toEqual({ traceparent: expect.stringMatching(new RegExp(`^00-${TRACE}-`)), tracestate });
    expect(exporter.getFinishedSpans().map((s) => s.spanContext().traceState?.serialize())).toEqual([tracestate, tracestate]);
  });

  it('ignores a tracestate whose traceparent is malformed', async () => {
    const carried = await tracer.span('a', { parent: { traceparent: 'not-a-traceparent', tracestate: 'rojo=1' } }, async (span) => span.context());
    expect(carried?.tracestate).toBeUndefined();
    expect(exporter.getFinishedSpans()[0]!.parentSpanContext).toBeUndefined();
  });

  it('starts a trace of its own from a malformed or absent parent', async () => {
    await tracer.span('a', { parent: { traceparent: 'not-a-traceparent' } }, async () => undefined);
    await tracer.span('b', {}, async () => undefined);
    for (const span of exporter.getFinishedSpans()) {
      expect(span.parentSpanContext).toBeUndefined();
      expect(span.spanContext().traceId).not.toBe(TRACE);
    }
  });

  it("follows a parent's decision not to sample, and hands that decision on", async () => {
    const carried = await tracer.span('airlock.review', { parent: { traceparent: `00-${TRACE}-${PARENT}-00` } }, async (span) => {
      span.set({ 'airlock.review.outcome': 'accepted' });
      return span.context()?.traceparent;
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
