import { AirlockClientError } from './errors.js';
import type { ListQuery } from './options.js';
import { DECISIONS, MODES, STATUSES, type Action, type ActionList, type AgentProfile } from './types.js';

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

/**
 * A page of actions: every item an action (parseAction), and none that the
 * filters asked for exclude (a confused proxy or cache, a bug: what it lists
 * is not what was asked about).
 */
export function parseActionList(value: unknown, where: string, query: Pick<ListQuery, 'status' | 'tool'>): ActionList {
  const bad = (what: string) => new AirlockClientError('malformed', `Airlock's answer to ${where} is not a listing of actions (${what})`);
  if (!isObject(value) || !Array.isArray(value.actions)) throw bad('actions missing');
  if (value.next_cursor !== null && (typeof value.next_cursor !== 'string' || value.next_cursor.length === 0)) throw bad('next_cursor missing');
  const actions = value.actions.map((item) => parseAction(item, where));
  for (const a of actions) {
    if (query.status !== undefined && a.status !== query.status) throw bad(`action ${a.id} is ${a.status.slice(0, 40)}, not ${query.status}`);
    if (query.tool !== undefined && a.tool !== query.tool) throw bad(`action ${a.id} is about ${a.tool.slice(0, 80)}, not ${query.tool}`);
  }
  return { actions, next_cursor: value.next_cursor };
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
