import type { PolicyDecision } from '../domain/decision.js';
import { evaluatePolicy, type EvaluationRequest } from '../domain/evaluate-policy.js';
import { classifyTransition, outcomeLabel, type Effect } from '../domain/plan-diff.js';
import type { Policy, TenantOverrides } from '../domain/policy-model.js';
import { guardRedacted } from '../domain/redacted-reads.js';
import type { DecisionWindow, RecordedDecision, RecordedDecisions } from '../ports/recorded-decisions.js';

export type Change = Exclude<Effect, 'unchanged'>;
export type Undetermined = 'overrides_not_recorded' | 'reads_redacted_value';

export interface ToolCount {
  tool: string;
  count: number;
  /** A few of the actions, as found. */
  examples: string[];
}

export interface Transition {
  from: string;
  to: string;
  effect: Change;
  count: number;
  tools: ToolCount[];
}

export interface UndeterminedGroup {
  why: Undetermined;
  count: number;
  tools: ToolCount[];
}

export interface PlanReport {
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
  unchanged: number;
  counts: Record<Change | 'undetermined', number>;
  /** Loosening first, then relabelling, then tightening; most frequent first within each. */
  transitions: Transition[];
  undetermined: UndeterminedGroup[];
  /** `unchanged`: nothing changes; `tightens`: changes, none loosens; `loosens`: something loosens or cannot be judged. */
  verdict: 'unchanged' | 'tightens' | 'loosens';
}

export interface PlanInput extends DecisionWindow {
  live: Policy;
  candidate: Policy;
}

const EXAMPLES = 3;
const ORDER: Record<Change, number> = { loosens: 0, relabels: 1, tightens: 2 };

class Tally {
  count = 0;
  readonly tools = new Map<string, ToolCount>();
  add(tool: string, id: string) {
    this.count += 1;
    let t = this.tools.get(tool);
    if (!t) this.tools.set(tool, (t = { tool, count: 0, examples: [] }));
    t.count += 1;
    if (t.examples.length < EXAMPLES) t.examples.push(id);
  }
  toolCounts = (): ToolCount[] => [...this.tools.values()].sort((a, b) => b.count - a.count || a.tool.localeCompare(b.tool));
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
    const changes = new Map<string, { from: string; to: string; effect: Change; tally: Tally }>();
    const undetermined = new Map<Undetermined, Tally>();
    let unchanged = 0;
    const mark = (why: Undetermined, d: RecordedDecision) => {
      let t = undetermined.get(why);
      if (!t) undetermined.set(why, (t = new Tally()));
      t.add(d.tool, d.id);
    };

    let readRedacted = false;
    const onRead = () => {
      readRedacted = true;
    };
    const actions = await deps.decisions.forEach(input, (d) => {
      if (!d.overrides) return mark('overrides_not_recorded', d);
      const request = requestOf(tenant, d, needsArgs.has(d.tool), onRead);
      readRedacted = false;
      const was = evaluate(live, d.overrides, request);
      const would = evaluate(candidate, d.overrides, request);
      if (readRedacted) return mark('reads_redacted_value', d);
      const effect = classifyTransition(was, would);
      if (effect === 'unchanged') {
        unchanged += 1;
        return;
      }
      const from = outcomeLabel(was);
      const to = outcomeLabel(would);
      const key = `${from}\n${to}`;
      let c = changes.get(key);
      if (!c) changes.set(key, (c = { from, to, effect, tally: new Tally() }));
      c.tally.add(d.tool, d.id);
    });

    const transitions = [...changes.values()]
      .map((c): Transition => ({ from: c.from, to: c.to, effect: c.effect, count: c.tally.count, tools: c.tally.toolCounts() }))
      .sort((a, b) => ORDER[a.effect] - ORDER[b.effect] || b.count - a.count || a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
    const counts = { loosens: 0, relabels: 0, tightens: 0, undetermined: 0 };
    for (const t of transitions) counts[t.effect] += t.count;
    const unknown = [...undetermined.entries()].map(([why, t]): UndeterminedGroup => ({ why, count: t.count, tools: t.toolCounts() }));
    for (const u of unknown) counts.undetermined += u.count;
    return {
      tenant,
      since: input.since,
      until: input.until,
      livePolicyVersion: live.fileVersion,
      candidatePolicyVersion: candidate.fileVersion,
      tenantDropped: !candidate.tenants.has(tenant),
      tenantNotLive: !live.tenants.has(tenant),
      actions,
      unchanged,
      counts,
      transitions,
      undetermined: unknown,
      verdict: counts.loosens + counts.undetermined > 0 ? 'loosens' : counts.tightens + counts.relabels > 0 ? 'tightens' : 'unchanged',
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
