import type { Action } from './types.js';

/** What Airlock puts where a redacted value was: it never stores nor returns those values. */
export const REDACTED = '[redacted]';

/**
 * The arguments to execute after an approval. Without reviewer changes they
 * are the agent's own. With changes, `approved_args` are the approved
 * arguments, except that redacted fields hold the `[redacted]` marker there:
 * those take the agent's own submitted value. A path a reviewer edited always
 * takes the approved value, even one that reads `[redacted]`.
 */
export function argsToExecute(submitted: Record<string, unknown>, action: Pick<Action, 'approved_args' | 'args_edits'>): Record<string, unknown> {
  if (!action.approved_args) return structuredClone(submitted);
  const edited = new Set((action.args_edits ?? []).flatMap((e) => e.changes.map((c) => c.path)));
  return merge(action.approved_args, submitted, [], edited) as Record<string, unknown>;
}

function merge(approved: unknown, own: unknown, path: string[], edited: ReadonlySet<string>): unknown {
  if (approved === REDACTED && !edited.has(path.join('.')) && own !== undefined) return structuredClone(own);
  if (Array.isArray(approved)) return approved.map((v, i) => merge(v, Array.isArray(own) ? own[i] : undefined, [...path, String(i)], edited));
  if (approved !== null && typeof approved === 'object') {
    const ownObject = own !== null && typeof own === 'object' && !Array.isArray(own) ? (own as Record<string, unknown>) : {};
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(approved)) {
      out[k] = merge(v, Object.hasOwn(ownObject, k) ? ownObject[k] : undefined, [...path, k], edited);
    }
    return out;
  }
  return approved;
}
