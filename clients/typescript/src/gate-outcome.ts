import { AirlockClientError } from './errors.js';
import { argsToExecute } from './merge-args.js';
import type { Action, Mode, Review } from './types.js';

/**
 * What the agent may do with an action once Airlock has decided it.
 *
 * | action                                   | execute | mode                          |
 * |------------------------------------------|---------|-------------------------------|
 * | `decided` / `allow`                      | true    | `allow`                       |
 * | `approved`                               | true    | `allow` (with `args`: the approved ones) |
 * | `decided` / `constrain` or `fallback`    | false   | `search_only` / `draft_write`: a restricted variant only; `observe`: record only |
 * | `expired` / `fallback`                   | false   | the tool's safest mode, as above |
 * | `decided` / `deny`, `denied`, `expired` / `deny` | false | `off`                   |
 * | a result already reported                | false   | `off` (it ran once already)   |
 *
 * `execute: true` means exactly one thing: run the tool as requested, with
 * `args`. A restricted mode is never `execute: true`, so code that only reads
 * `execute` cannot run a full action Airlock limited.
 */
export interface GateOutcome {
  execute: boolean;
  mode: Mode;
  /** The arguments to run: the approved ones after "approve with changes" (your own values for redacted fields), else yours. */
  args: Record<string, unknown>;
  reviews: Review[];
  action: Action;
  /** One sentence saying why, written for a log line or for the model. */
  reason: string;
}

const RESTRICTED: readonly Mode[] = ['search_only', 'draft_write', 'observe'];

const lastReason = (a: Action) => a.reasons[a.reasons.length - 1] ?? a.rule;
const reviewText = (reviews: Review[], decision: 'approve' | 'deny') =>
  reviews
    .filter((r) => r.decision === decision)
    .map((r) => `${r.reviewer.name ?? r.reviewer.email ?? r.reviewer.id}${r.reason ? `: "${r.reason}"` : ''}`)
    .join('; ');

/** Reads a final action into a GateOutcome, whitelisting what may run; anything unexpected throws. */
export function gateOutcome(action: Action, submittedArgs: Record<string, unknown>): GateOutcome {
  const reviews = action.reviews ?? [];
  const base = { args: argsToExecute(submittedArgs, action), reviews, action };
  const no = (mode: Mode, reason: string): GateOutcome => ({ ...base, execute: false, mode, reason });
  const restricted = (why: string): GateOutcome => {
    if (!RESTRICTED.includes(action.mode)) return no('off', `${why}, in mode ${action.mode}: not executed`);
    return no(
      action.mode,
      action.mode === 'observe'
        ? `${why}: recorded only (mode observe), not executed`
        : `${why}: only a restricted variant may run (mode ${action.mode}), not the action as requested`,
    );
  };
  const inconsistent = () =>
    new AirlockClientError('unknown_decision', `Airlock answered an action that is ${action.status} with decision ${action.decision}: not a combination this client knows; not executing`, {
      actionId: action.id,
    });

  switch (action.status) {
    case 'decided':
      switch (action.decision) {
        case 'allow':
          if (action.mode !== 'allow') throw inconsistent();
          return { ...base, execute: true, mode: 'allow', reason: `allowed by policy: ${lastReason(action)}` };
        case 'constrain':
          return restricted(`${action.tool} is constrained by policy (${lastReason(action)})`);
        case 'fallback':
          return restricted(`${action.tool} fell back to its safest mode (${lastReason(action)})`);
        case 'deny':
          return no('off', `denied by policy: ${lastReason(action)}`);
        default:
          throw inconsistent();
      }
    case 'approved':
      if (action.decision !== 'queue_for_approval') throw inconsistent();
      return {
        ...base,
        execute: true,
        mode: 'allow',
        reason: `approved by ${reviewText(reviews, 'approve') || 'the reviewers'}${action.approved_args ? ' (with changes: run args)' : ''}`,
      };
    case 'denied': {
      const by = reviewText(reviews, 'deny');
      return no('off', by ? `denied by reviewer ${by}` : `denied: ${action.outcome_detail ?? lastReason(action)}`);
    }
    case 'expired': {
      const why = `no reviewer decided in time${action.outcome_detail ? ` (${action.outcome_detail})` : ''}`;
      if (action.decision === 'fallback') return restricted(why);
      if (action.decision === 'deny') return no('off', `${why}: denied`);
      throw inconsistent();
    }
    case 'succeeded':
    case 'failed':
    case 'rolled_back':
      return no('off', `a result (${action.status}) was already reported for this action: it ran once, it does not run again`);
    case 'pending':
      throw new AirlockClientError('timeout', `action ${action.id} is still pending`, { actionId: action.id });
    default:
      throw inconsistent();
  }
}
