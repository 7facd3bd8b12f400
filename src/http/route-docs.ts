import { actionList, actionView, agentProfile, bearerAuth, errorResponses, json } from './response-schemas.js';

/**
 * What the OpenAPI document says about each agent route beyond its request
 * schemas: summary, security and the responses (which the routes also answer
 * with). Kept beside the routes rather than in them so a route stays one line.
 */
export const submitActionDocs = {
  tags: ['actions'],
  summary: 'Submit an action; the answer carries the decision',
  description:
    'Same Idempotency-Key and body: the same action again (Idempotent-Replayed: true); another body: 409. A queue_for_approval decision leaves the action pending: wait with GET /v1/actions/{id}?wait=N.',
  security: bearerAuth,
  response: { 201: json('the action with its decision (a replay of an Idempotency-Key: the same action)', actionView), ...errorResponses(409, 413, 415) },
};

export const getActionDocs = {
  tags: ['actions'],
  summary: 'The action as it stands; ?wait=N holds up to N seconds (≤ 60) while it is pending',
  security: bearerAuth,
  response: { 200: json('the action; still pending when the wait ran out', actionView), ...errorResponses(404) },
};

export const listActionsDocs = {
  tags: ['actions'],
  summary: 'The calling agent’s own actions, newest first, a page at a time',
  description:
    'Filters narrow the agent’s own actions; no other agent’s or tenant’s are ever listed. Pages resume right after the last action returned: no action is repeated or skipped, and actions submitted meanwhile appear on a fresh listing. A cursor is valid only with the filters it was issued for.',
  security: bearerAuth,
  response: { 200: json('a page of actions, each as GET /v1/actions/{id} shows it', actionList), ...errorResponses() },
};

export const reportResultDocs = {
  tags: ['actions'],
  summary: 'Report what happened, once, with the arguments executed (in full)',
  description: 'Only for actions the agent was allowed to execute in some mode. Executed args that differ from the approved ones are recorded as a violation.',
  security: bearerAuth,
  response: { 200: json('the action with its result', actionView), ...errorResponses(404, 409, 413, 415) },
};

export const agentProfileDocs = {
  tags: ['agent'],
  summary: 'The tools the policy registers for the calling agent',
  security: bearerAuth,
  response: { 200: json('the agent as the policy declares it', agentProfile), ...errorResponses() },
};
