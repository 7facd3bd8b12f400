import { DiagLogLevel, diag } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { Logger } from 'pino';
import pkg from '../../package.json' with { type: 'json' };
import { createOtelTracer } from '../infra/telemetry/otel-tracer.js';
import type { Tracer } from '../ports/tracer.js';

export interface Telemetry {
  tracer: Tracer;
  /** Exports what is still buffered, then stops; the last step of a shutdown. */
  shutdown(): Promise<void>;
}

/**
 * The OpenTelemetry SDK, wired once per process: a tracer provider whose
 * sampler, span limits and batch processor settings come from the standard
 * OTEL_* variables (the SDK reads them), an OTLP/HTTP JSON exporter (endpoint,
 * headers, timeout and compression from OTEL_EXPORTER_OTLP_*), and the W3C
 * trace context propagator. Nothing is registered globally: the tracer port
 * is handed its tracer and propagator, so no other library's spans or
 * context handling ride along.
 */
export function startOtlpTracing(log: Logger): Telemetry {
  // The SDK reports export failures through its diagnostic logger; they go to the log, at most as warnings.
  diag.setLogger(
    {
      error: (message) => log.warn({ otel: message }, 'traces: export problem'),
      warn: (message) => log.warn({ otel: message }, 'traces: export problem'),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    DiagLogLevel.WARN,
  );
  // Airlock's name and version unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES say otherwise.
  const resource = defaultResource()
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: 'airlock', [ATTR_SERVICE_VERSION]: pkg.version }))
    .merge(detectResources({ detectors: [envDetector] }));
  const provider = new BasicTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())] });
  const tracer = createOtelTracer({ tracer: provider.getTracer('airlock', pkg.version), propagator: new W3CTraceContextPropagator() });
  return { tracer, shutdown: () => provider.shutdown() };
}
