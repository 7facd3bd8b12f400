import { createHmac } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

/** The request fields a percent stage may bucket by (`by:`). */
export const ROLLOUT_KEYS = ['requester.id', 'agent', 'session_id', 'workflow'] as const;
export type RolloutKey = (typeof ROLLOUT_KEYS)[number];

/** Buckets run 0..9999: a percent with two decimals is a whole number of buckets. */
export const ROLLOUT_BUCKETS = 10_000;

/**
 * The HMAC key of rollout bucketing. It is fixed and public on purpose, not
 * derived from AIRLOCK_SECRET: a slice must stay the same across deployments,
 * secret rotations and replays of recorded requests (so a stage means the same
 * people in staging, in production and in a policy plan), and a secret would
 * not make a slice an access boundary anyway, since an agent can learn its
 * bucket by asking. Changing this key reshuffles every slice.
 */
const BUCKET_KEY = 'airlock:rollout-bucket:v1';

/**
 * The bucket (0..9999) of one key value in one stage of one tool of one
 * tenant. It does not depend on the stage's percent, so raising the percent
 * only adds members. The parts are hashed as a JSON array, so no two
 * different part lists share an input.
 */
export function rolloutBucket(parts: { tenant: string; tool: string; stage: number; key: RolloutKey; value: string }): number {
  const digest = createHmac('sha256', BUCKET_KEY)
    .update(canonicalJson([parts.tenant, parts.tool, parts.stage, parts.key, parts.value]))
    .digest();
  // 48 bits modulo 10 000: the bias is below one in ten billion.
  return digest.readUIntBE(0, 6) % ROLLOUT_BUCKETS;
}

/** Whether a bucket is inside a slice of `percent` (0..100, at most two decimals). */
export const inSlice = (bucket: number, percent: number): boolean => bucket < Math.round(percent * 100);

/** The value of a bucketing key in a request; undefined when the request does not carry it (then it is in no slice). */
export function rolloutKeyValue(
  key: RolloutKey,
  request: { agent: string; requester: Record<string, unknown>; workflow: string; sessionId?: string },
): string | undefined {
  const value = key === 'requester.id' ? request.requester.id : key === 'agent' ? request.agent : key === 'session_id' ? request.sessionId : request.workflow;
  return typeof value === 'string' && value !== '' ? value : undefined;
}
