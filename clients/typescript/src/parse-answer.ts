import { AirlockClientError } from './errors.js';
import { DECISIONS, MODES, STATUSES, type Action, type AgentProfile } from './types.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

/**
 * Checks that an answer is an action as Airlock sends it, down to the fields
 * a decision is read from. Anything else is refused here, so no caller can
 * act on a half-understood answer: a missing field is `malformed`, a decision,
 * status or mode this client does not know is `unknown_decision`.
 */
export function parseAction(value: unknown, where: string): Action {
  const bad = (what: string) => new AirlockClientError('malformed', `Airlock's answer to ${where} is not an action (${what}); treat the action as not allowed`);
  if (!isObject(value)) throw bad('not a JSON object');
  for (const field of ['id', 'status', 'decision', 'mode', 'rule', 'tool', 'args_sha256'] as const) {
    if (typeof value[field] !== 'string' || (value[field] as string).length === 0) throw bad(`${field} missing`);
  }
  if (!isStringArray(value.reasons)) throw bad('reasons missing');
  if (typeof value.args_version !== 'number') throw bad('args_version missing');
  if (value.reviews !== undefined && !(Array.isArray(value.reviews) && value.reviews.every(isObject))) throw bad('reviews malformed');
  if (value.approved_args !== undefined && !isObject(value.approved_args)) throw bad('approved_args malformed');
  if (value.args_edits !== undefined && !(Array.isArray(value.args_edits) && value.args_edits.every((e) => isObject(e) && Array.isArray(e.changes)))) {
    throw bad('args_edits malformed');
  }
  const unknown = (field: string, v: unknown) =>
    new AirlockClientError('unknown_decision', `Airlock answered ${where} with an unknown ${field} "${String(v).slice(0, 40)}"; this client does not guess: treat the action as not allowed`, {
      actionId: value.id as string,
    });
  if (!(STATUSES as readonly unknown[]).includes(value.status)) throw unknown('status', value.status);
  if (!(DECISIONS as readonly unknown[]).includes(value.decision)) throw unknown('decision', value.decision);
  if (!(MODES as readonly unknown[]).includes(value.mode)) throw unknown('mode', value.mode);
  return value as unknown as Action;
}

export function parseAgentProfile(value: unknown, where: string): AgentProfile {
  const ok =
    isObject(value) &&
    typeof value.tenant === 'string' &&
    typeof value.agent === 'string' &&
    isStringArray(value.tools) &&
    isStringArray(value.environments) &&
    isObject(value.mcp) &&
    typeof value.mcp.hide_unregistered_tools === 'boolean';
  if (!ok) throw new AirlockClientError('malformed', `Airlock's answer to ${where} is not an agent profile`);
  return value as unknown as AgentProfile;
}
