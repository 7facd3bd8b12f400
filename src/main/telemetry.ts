import type { Logger } from 'pino';
import type { Env } from '../config/env.js';
import { noTracing } from '../ports/tracer.js';
// Type only: the SDK itself is loaded when traces are on.
import type { Telemetry } from './otlp-tracing.js';

type TracingEnv = Pick<
  Env,
  'OTEL_EXPORTER_OTLP_ENDPOINT' | 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' | 'OTEL_TRACES_EXPORTER' | 'OTEL_SDK_DISABLED' | 'OTEL_TRACES_SAMPLER' | 'OTEL_TRACES_SAMPLER_ARG'
>;

/** Traces are exported only to an endpoint named on purpose, and the standard switches turn them off. */
export const tracesEnabled = (env: TracingEnv) =>
  Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) && env.OTEL_TRACES_EXPORTER !== 'none' && env.OTEL_SDK_DISABLED !== true;

/**
 * This process's tracer. Off (no OTLP endpoint): the no-op tracer, and the
 * OpenTelemetry SDK is not even loaded. On: spans go over OTLP/HTTP from a
 * batch processor that `shutdown` flushes.
 */
export async function startTelemetry(env: TracingEnv, log: Logger): Promise<Telemetry> {
  if (!tracesEnabled(env)) return { tracer: noTracing, shutdown: async () => undefined };
  const { startOtlpTracing } = await import('./otlp-tracing.js');
  const telemetry = startOtlpTracing(log);
  // Where they go is not logged: an endpoint URL may carry a token of the collector's.
  log.info({ sampler: env.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on', ratio: env.OTEL_TRACES_SAMPLER_ARG }, 'traces exported over OTLP/HTTP');
  return telemetry;
}
