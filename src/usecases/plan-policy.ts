import type { PolicyDecision } from '../domain/decision.js';
import { evaluatePolicy, type EvaluationRequest } from '../domain/evaluate-policy.js';
import type { Policy, TenantOverrides } from '../domain/policy-model.js';
import { guardRedacted } from '../domain/redacted-reads.js';
import type { DecisionWindow, RecordedDecision, RecordedDecisions } from '../ports/recorded-decisions.js';
import { TransitionTally, type TransitionSummary } from './transition-tally.js';

export type { Change, ToolCount, Transition, Undetermined, UndeterminedGroup } from './transition-tally.js';

export interface PlanReport extends TransitionSummary {
  tenant: string;
  since: Date;
  until: Date;
  livePolicyVersion: string;
  candidatePolicyVersion: string;
  /** The candidate declares no such tenant: every one of its requests would be denied. */
  tenantDropped: boolean;
  /** The live policy declares no such tenant (its requests replay as denied there). */
  tenantNotLive: boolean;
  actions: number;
}

export interface PlanInput extends DecisionWindow {
  live: Policy;
  candidate: Policy;
}

/**
 * Replays a tenant's recorded requests through the live policy and a
 * candidate, each under the admin overrides in force when it was decided,
 * and tallies what would change. Nothing is guessed: a request whose
 * overrides were not recorded, or that a condition of either policy judges
 * by a redacted value, is counted as undetermined. Memory stays flat however
 * many requests there are: counts, and a few example ids per tool.
 */
export function makePlanPolicy(deps: { decisions: RecordedDecisions }) {
  return async function planPolicy(input: PlanInput): Promise<PlanReport> {
    const { live, candidate, tenant } = input;
    const needsArgs = argsReaders(live, candidate);
    const tally = new TransitionTally();
    let readRedacted = false;
    const onRead = () => {
      readRedacted = true;
    };
    const actions = await deps.decisions.forEach(input, (d) => {
      if (!d.overrides) return tally.undetermined('overrides_not_recorded', d.tool, [d.id]);
      const request = requestOf(tenant, d, needsArgs.has(d.tool), onRead);
      readRedacted = false;
      const was = evaluate(live, d.overrides, request);
      const would = evaluate(candidate, d.overrides, request);
      if (readRedacted) return tally.undetermined('reads_redacted_value', d.tool, [d.id]);
      tally.add(was, would, d.tool, [d.id]);
    });
    return {
      tenant,
      since: input.since,
      until: input.until,
      livePolicyVersion: live.fileVersion,
      candidatePolicyVersion: candidate.fileVersion,
      tenantDropped: !candidate.tenants.has(tenant),
      tenantNotLive: !live.tenants.has(tenant),
      actions,
      ...tally.summary(),
    };
  };
}

// Review-queue saturation is not replayed: no pending counts are given.
const evaluate = (policy: Policy, overrides: TenantOverrides, request: EvaluationRequest): PolicyDecision =>
  evaluatePolicy({ policy, overrides, request });

function requestOf(tenant: string, d: RecordedDecision, withArgs: boolean, onRead: () => void): EvaluationRequest {
  let args: Record<string, unknown> = {};
  if (withArgs) {
    args = JSON.parse(d.argsJson) as Record<string, unknown>;
    if (d.redact.length > 0) guardRedacted(args, d.redact, onRead);
  }
  return {
    tenant,
    agent: d.agent,
    tool: d.tool,
    args,
    context: d.context,
    requester: d.requester,
    workflow: d.workflow ?? '',
    environment: d.environment,
    sessionId: d.sessionId ?? undefined,
  };
}

/**
 * Tools whose arguments a condition of either policy may read. Only a `when`
 * rule or a rollout segment reads them; a request for any other tool is
 * decided without them, so its ~1 KB of recorded arguments is never parsed.
 */
function argsReaders(...policies: Policy[]): Set<string> {
  const tools = new Set<string>();
  for (const policy of policies) {
    for (const tool of policy.tools.values()) {
      if (tool.when.length > 0 || (tool.rollout ?? []).some((s) => s.kind === 'segment')) tools.add(tool.name);
    }
  }
  return tools;
}
