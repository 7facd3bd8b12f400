import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Decision } from '../domain/decision.js';
import type { Policy } from '../domain/policy-model.js';
import type { ApprovalMetrics } from '../ports/approval-metrics.js';
import { metricLabels } from './metric-labels.js';

/** Pending approvals of one tenant and reviewer group, as stored. */
export interface OpenApprovals {
  tenant: string;
  group: string | null;
  count: number;
}

/** Sealed audit events of one tenant that the audit sink has not acknowledged, as stored. */
export interface AuditSinkLag {
  tenant: string;
  events: number;
}

export interface MetricsSources {
  /** The live policy: the only source of label values (anything else is `other`), and its version. */
  policy?: () => Policy;
  /** Policy controls (tools, `when` rules, rollout stages) past their `review_by` date, read at each scrape. */
  overdueControls?: () => number;
  /** Open approvals of every process, read from Postgres at scrape (the reader keeps it cheap under a scrape storm). */
  openApprovals?: () => Promise<OpenApprovals[]>;
  /** Why the policy file on disk was refused at its last reload, while the last good policy stays live; undefined when it loaded. */
  policyFileRefused?: () => string | undefined;
  /** With an audit sink configured: how far it is behind per tenant, read from Postgres at scrape. */
  auditSinkLag?: () => Promise<AuditSinkLag[]>;
}

/** From seconds (a reviewer watching the channel) to a day (an approval left to its deadline). */
const TIME_TO_DECISION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400];

/** One registry per process (and per app instance, so tests can build several in one process). */
export function createMetrics(sources: MetricsSources = {}) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'airlock_' });
  const registers = [registry];
  const { policy, overdueControls, openApprovals, policyFileRefused, auditSinkLag } = sources;
  const labels = () => metricLabels(policy?.() ?? { fileVersion: '', tenants: new Map(), tools: new Map() });

  new Gauge({
    name: 'airlock_policy_controls_overdue',
    help: 'Tools, when rules and rollout stages of the live policy past their review_by date (`airlock policy review` lists them)',
    registers,
    collect() {
      if (overdueControls) this.set(overdueControls());
    },
  });
  new Gauge({
    name: 'airlock_policy_info',
    help: 'The live policy of this process: 1, labelled with its file version',
    labelNames: ['version'] as const,
    registers,
    collect() {
      this.reset();
      if (policy) this.set({ version: policy().fileVersion }, 1);
    },
  });
  new Gauge({
    name: 'airlock_policy_file_refused',
    help: 'Whether the policy file on disk was refused at its last reload (1) while the last good policy stays live; /readyz says why',
    registers,
    collect() {
      this.set(policyFileRefused?.() === undefined ? 0 : 1);
    },
  });
  new Gauge({
    name: 'airlock_open_approvals',
    help: 'Approvals waiting for a review now, by tenant and reviewer group, read from Postgres (every process reports the same count)',
    labelNames: ['tenant', 'group'] as const,
    registers,
    async collect() {
      this.reset();
      if (!openApprovals) return;
      let rows: OpenApprovals[];
      try {
        rows = await openApprovals();
      } catch {
        // Postgres unreachable: no value rather than a failed scrape of every other series (/readyz says what is down).
        return;
      }
      const l = labels();
      // Every declared group, so an empty queue reads 0 rather than nothing.
      for (const tenant of policy?.().tenants.values() ?? []) for (const group of tenant.reviewerGroups.keys()) this.set({ tenant: tenant.id, group }, 0);
      for (const r of rows) this.inc({ tenant: l.tenant(r.tenant), group: l.group(r.tenant, r.group ?? undefined) }, r.count);
    },
  });

  new Gauge({
    name: 'airlock_audit_sink_lag_events',
    help: 'Sealed audit events the audit sink (AUDIT_SINK_URL) has not acknowledged yet, by tenant, read from Postgres (every process reports the same count); no sample without a sink',
    labelNames: ['tenant'] as const,
    registers,
    async collect() {
      this.reset();
      if (!auditSinkLag) return;
      let rows: AuditSinkLag[];
      try {
        rows = await auditSinkLag();
      } catch {
        // Postgres unreachable: no value rather than a failed scrape of every other series.
        return;
      }
      const l = labels();
      // Every declared tenant, so a sink that caught up (or a tenant with no event yet) reads 0.
      for (const tenant of policy?.().tenants.keys() ?? []) this.set({ tenant }, 0);
      for (const r of rows) this.inc({ tenant: l.tenant(r.tenant) }, r.events);
    },
  });

  const decisions = new Counter({
    name: 'airlock_decisions_total',
    help: 'Decisions recorded at intake, by tenant, tool and decision',
    labelNames: ['tenant', 'tool', 'decision'] as const,
    registers,
  });
  const reviews = new Counter({
    name: 'airlock_reviews_total',
    help: 'Reviews answered by this process, by tenant, reviewer group and outcome (approved, counted towards a quorum, denied, refused)',
    labelNames: ['tenant', 'group', 'outcome'] as const,
    registers,
  });
  const timeToDecision = new Histogram({
    name: 'airlock_time_to_decision_seconds',
    help: 'From queueing to the end of an approval by a review or its deadline, by tenant and reviewer group',
    labelNames: ['tenant', 'group'] as const,
    buckets: TIME_TO_DECISION_BUCKETS,
    registers,
  });
  const cardPosts = new Counter({
    name: 'airlock_card_posts_total',
    help: 'Attempts to post an approval card, by chat platform and outcome (posted, recovered, undeliverable, held, error)',
    labelNames: ['platform', 'outcome'] as const,
    registers,
  });
  const cardUpdates = new Counter({
    name: 'airlock_card_updates_total',
    help: 'Updates of posted approval cards, by chat platform and outcome (updated, error)',
    labelNames: ['platform', 'outcome'] as const,
    registers,
  });
  const callbacks = new Counter({
    name: 'airlock_callbacks_total',
    help: 'Callback deliveries to agents, by outcome (delivered, attempt_failed, gave_up)',
    labelNames: ['outcome'] as const,
    registers,
  });

  const approvals: ApprovalMetrics = {
    review: (tenant, group, outcome) => {
      const l = labels();
      reviews.inc({ tenant: l.tenant(tenant), group: l.group(tenant, group), outcome });
    },
    decided: (tenant, group, seconds) => {
      const l = labels();
      timeToDecision.observe({ tenant: l.tenant(tenant), group: l.group(tenant, group) }, Math.max(0, seconds));
    },
    cardPost: (platform, outcome) => cardPosts.inc({ platform, outcome }),
    cardUpdate: (platform, outcome) => cardUpdates.inc({ platform, outcome }),
    callback: (outcome) => callbacks.inc({ outcome }),
  };

  return {
    registry,
    /** Counts one decision made at intake. */
    decision(a: { tenant: string; tool: string; decision: Decision }) {
      const l = labels();
      decisions.inc({ tenant: l.tenant(a.tenant), tool: l.tool(a.tool), decision: a.decision });
    },
    approvals,
    intakeLatency: new Histogram({
      name: 'airlock_intake_duration_seconds',
      help: 'Time from receiving POST /v1/actions to the durable decision',
      labelNames: ['decision'] as const,
      buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    waiting: new Gauge({
      name: 'airlock_waiting_requests',
      help: 'GET /v1/actions/:id?wait=N requests held open in this process',
      registers,
    }),
    limited: new Counter({
      name: 'airlock_rate_limited_total',
      help: 'Agent requests refused with 429, by limit (rate: AIRLOCK_RATE_LIMIT_PER_AGENT, waits: AIRLOCK_MAX_WAITS_PER_AGENT)',
      labelNames: ['limit'] as const,
      registers,
    }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
