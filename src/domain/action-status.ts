/**
 * The lifecycle of an action. `decided` covers allow/constrain/deny/fallback at
 * intake; `pending` waits for reviewers; `approved`/`denied`/`expired` end a
 * review (`expired` is never folded into `denied`); the last three record what
 * the agent reported after executing.
 */
export const ACTION_STATUSES = [
  'decided',
  'pending',
  'approved',
  'denied',
  'expired',
  'succeeded',
  'failed',
  'rolled_back',
] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

export const RESULT_OUTCOMES = ['succeeded', 'failed', 'rolled_back'] as const;
export type ResultOutcome = (typeof RESULT_OUTCOMES)[number];

export const REVIEW_END_STATUSES = ['approved', 'denied', 'expired'] as const;
export type ReviewEndStatus = (typeof REVIEW_END_STATUSES)[number];
