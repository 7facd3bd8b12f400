import { classifyTransition, outcomeLabel, type Effect, type Outcome } from '../domain/plan-diff.js';

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

/** What changes from one policy's outcomes to another's over a set of requests. */
export interface TransitionSummary {
  unchanged: number;
  counts: Record<Change | 'undetermined', number>;
  /** Loosening first, then relabelling, then tightening; most frequent first within each. */
  transitions: Transition[];
  undetermined: UndeterminedGroup[];
  /** `unchanged`: nothing changes; `tightens`: changes, none loosens; `loosens`: something loosens or cannot be judged. */
  verdict: 'unchanged' | 'tightens' | 'loosens';
}

const EXAMPLES = 3;
const ORDER: Record<Change, number> = { loosens: 0, relabels: 1, tightens: 2 };

class Tally {
  count = 0;
  readonly tools = new Map<string, ToolCount>();
  add(tool: string, ids: readonly string[], n: number) {
    this.count += n;
    let t = this.tools.get(tool);
    if (!t) this.tools.set(tool, (t = { tool, count: 0, examples: [] }));
    t.count += n;
    for (const id of ids) if (t.examples.length < EXAMPLES) t.examples.push(id);
  }
  toolCounts = (): ToolCount[] => [...this.tools.values()].sort((a, b) => b.count - a.count || a.tool.localeCompare(b.tool));
}

/**
 * Counts how requests move from one policy's outcome to another's (a plan's
 * live → candidate, a shadow report's live → shadow), per transition and
 * tool, with a few example ids each: memory stays flat however many requests
 * are added. `n` lets a caller add a group of requests counted elsewhere
 * (e.g. by SQL) at once.
 */
export class TransitionTally {
  private readonly changes = new Map<string, { from: string; to: string; effect: Change; tally: Tally }>();
  private readonly unknown = new Map<Undetermined, Tally>();
  private same = 0;

  add(was: Outcome, would: Outcome, tool: string, ids: readonly string[], n = ids.length): void {
    const effect = classifyTransition(was, would);
    if (effect === 'unchanged') {
      this.same += n;
      return;
    }
    const from = outcomeLabel(was);
    const to = outcomeLabel(would);
    const key = `${from}\n${to}`;
    let c = this.changes.get(key);
    if (!c) this.changes.set(key, (c = { from, to, effect, tally: new Tally() }));
    c.tally.add(tool, ids, n);
  }

  undetermined(why: Undetermined, tool: string, ids: readonly string[], n = ids.length): void {
    let t = this.unknown.get(why);
    if (!t) this.unknown.set(why, (t = new Tally()));
    t.add(tool, ids, n);
  }

  summary(): TransitionSummary {
    const transitions = [...this.changes.values()]
      .map((c): Transition => ({ from: c.from, to: c.to, effect: c.effect, count: c.tally.count, tools: c.tally.toolCounts() }))
      .sort((a, b) => ORDER[a.effect] - ORDER[b.effect] || b.count - a.count || a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
    const counts = { loosens: 0, relabels: 0, tightens: 0, undetermined: 0 };
    for (const t of transitions) counts[t.effect] += t.count;
    const undetermined = [...this.unknown.entries()].map(([why, t]): UndeterminedGroup => ({ why, count: t.count, tools: t.toolCounts() }));
    for (const u of undetermined) counts.undetermined += u.count;
    const verdict = counts.loosens + counts.undetermined > 0 ? 'loosens' : counts.tightens + counts.relabels > 0 ? 'tightens' : 'unchanged';
    return { unchanged: this.same, counts, transitions, undetermined, verdict };
  }
}
