import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface MetricsSources {
  /** Policy controls (tools, `when` rules, rollout stages) past their `review_by` date, read at each scrape. */
  overdueControls?: () => number;
}

/** One registry per app instance, so tests can build several apps in one process. */
export function createMetrics(sources: MetricsSources = {}) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'airlock_' });
  const { overdueControls } = sources;
  if (overdueControls) {
    new Gauge({
      name: 'airlock_policy_controls_overdue',
      help: 'Tools, when rules and rollout stages of the live policy past their review_by date (`airlock policy review` lists them)',
      registers: [registry],
      collect() {
        this.set(overdueControls());
      },
    });
  }
  return {
    registry,
    decisions: new Counter({
      name: 'airlock_decisions_total',
      help: 'Decisions recorded at intake, by decision',
      labelNames: ['decision'] as const,
      registers: [registry],
    }),
    intakeLatency: new Histogram({
      name: 'airlock_intake_duration_seconds',
      help: 'Time from receiving POST /v1/actions to the durable decision',
      labelNames: ['decision'] as const,
      buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    waiting: new Gauge({
      name: 'airlock_waiting_requests',
      help: 'GET /v1/actions/:id?wait=N requests held open in this process',
      registers: [registry],
    }),
    limited: new Counter({
      name: 'airlock_rate_limited_total',
      help: 'Agent requests refused with 429, by limit (rate: AIRLOCK_RATE_LIMIT_PER_AGENT, waits: AIRLOCK_MAX_WAITS_PER_AGENT)',
      labelNames: ['limit'] as const,
      registers: [registry],
    }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
