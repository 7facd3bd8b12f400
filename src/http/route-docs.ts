import { actionView, agentProfile, bearerAuth, errorResponses, json } from './response-schemas.js';

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
