import { describe, expect, it } from 'vitest';
import { ConfigError, loadEnv } from '../../../src/config/env.js';
import { tracesEnabled } from '../../../src/main/telemetry.js';

const message = (env: Record<string, string>) => {
  try {
    loadEnv(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('accepted');
};

describe('OpenTelemetry traces in the environment', () => {
  it('are off unless an OTLP endpoint is named, and the standard switches turn them off again', () => {
    expect(tracesEnabled(loadEnv({}))).toBe(false);
    // Another signal's endpoint, a sampler or a service name alone do not turn traces on.
    expect(tracesEnabled(loadEnv({ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://127.0.0.1:4318/v1/metrics', OTEL_TRACES_SAMPLER: 'always_on', OTEL_SERVICE_NAME: 'x' }))).toBe(false);
    expect(tracesEnabled(loadEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }))).toBe(true);
    expect(tracesEnabled(loadEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://collector.example/v1/traces' }))).toBe(true);
    expect(tracesEnabled(loadEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'none' }))).toBe(false);
    expect(tracesEnabled(loadEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'TRUE' }))).toBe(false);
    expect(tracesEnabled(loadEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'false' }))).toBe(true);
  });

  it('refuses at start what the SDK would only warn about, naming the variable and never echoing an endpoint', () => {
    expect(message({ OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://collector:4317?token=t0ps3cret' })).toMatch(/OTEL_EXPORTER_OTLP_ENDPOINT/);
    expect(message({ OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://collector:4317?token=t0ps3cret' })).not.toContain('t0ps3cret');
    expect(message({ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc' })).toMatch(/OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: must be http\/json or http\/protobuf/);
    expect(message({ OTEL_TRACES_SAMPLER: 'sometimes' })).toMatch(/OTEL_TRACES_SAMPLER/);
    expect(message({ OTEL_TRACES_SAMPLER_ARG: '10' })).toMatch(/OTEL_TRACES_SAMPLER_ARG/);
    expect(message({ OTEL_TRACES_SAMPLER_ARG: 'a tenth' })).toMatch(/OTEL_TRACES_SAMPLER_ARG/);
    expect(message({ OTEL_TRACES_EXPORTER: 'zipkin' })).toMatch(/OTEL_TRACES_EXPORTER: must be otlp or none/);
  });

  it('takes the sampler the benchmark and the docs use', () => {
    const env = loadEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' });
    expect(env).toMatchObject({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: 0.1 });
    expect(tracesEnabled(env)).toBe(true);
  });
});
