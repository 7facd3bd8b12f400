/**
 * The wire types of Airlock's agent API, derived from the OpenAPI document
 * (openapi.ts is generated from it by `npm run openapi`, and the document
 * from the server's zod schemas). The value lists are repeated as constants
 * because this client checks every answer against them at run time and
 * refuses what it does not know; the assertions below keep them equal to the
 * document's.
 */
import type { components, paths } from './openapi.js';

type Schemas = components['schemas'];

/** An action as Airlock returns it (POST /v1/actions, GET /v1/actions/:id, callbacks). Later servers may add fields. */
export type Action = Schemas['Action'];
export type Review = Schemas['Review'];
export type Reviewer = Schemas['Reviewer'];
export type ArgsEdit = Schemas['ArgsEdit'];
export type ActionResultView = Schemas['ActionResult'];
/** GET /v1/actions: a page of this agent's actions, newest first. */
export type ActionList = Schemas['ActionList'];
/** GET /v1/agent: what the policy lets this agent call. */
export type AgentProfile = Schemas['AgentProfile'];

/** POST /v1/actions. */
export type ActionRequest = paths['/v1/actions']['post']['requestBody']['content']['application/json'];
export type Requester = ActionRequest['requester'];
/** POST /v1/actions/:id/result. `args` are the arguments executed, in full (your own values for redacted fields). */
export type ResultReport = paths['/v1/actions/{id}/result']['post']['requestBody']['content']['application/json'];

export const DECISIONS = ['allow', 'constrain', 'queue_for_approval', 'deny', 'fallback'] as const;
export type Decision = (typeof DECISIONS)[number];

export const MODES = ['off', 'observe', 'search_only', 'draft_write', 'approval_required', 'allow'] as const;
export type Mode = (typeof MODES)[number];

export const STATUSES = ['decided', 'pending', 'approved', 'denied', 'expired', 'succeeded', 'failed', 'rolled_back'] as const;
export type ActionStatus = (typeof STATUSES)[number];

export const RESULT_OUTCOMES = ['succeeded', 'failed', 'rolled_back'] as const;
export type ResultOutcome = (typeof RESULT_OUTCOMES)[number];

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;
/** Fails to compile when a list above and the document disagree. */
export type ValueListsMatchTheDocument = [
  Holds<Same<Decision, Action['decision']>>,
  Holds<Same<Mode, Action['mode']>>,
  Holds<Same<ActionStatus, Action['status']>>,
  Holds<Same<ResultOutcome, ResultReport['outcome']>>,
];
