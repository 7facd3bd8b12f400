import { z } from 'zod';
import { RESULT_OUTCOMES } from '../domain/action-status.js';
import { nestsAtMost } from './json-depth.js';

/** Deep enough for any real tool call; deeper input is refused before it reaches hashing or storage. */
export const MAX_JSON_DEPTH = 32;

const jsonObject = z.record(z.string(), z.unknown()).refine((v) => nestsAtMost(v, MAX_JSON_DEPTH), {
  message: `nested deeper than ${MAX_JSON_DEPTH} levels`,
});
const text = (max: number) => z.string().min(1).max(max);

/** POST /v1/actions. Strict: an unknown top-level field is a client bug worth a 400. */
export const submitActionBody = z.strictObject({
  tool: text(128),
  args: jsonObject.default({}),
  summary: z.string().max(4000).optional(),
  requester: z.strictObject({
    id: text(256),
    email: z.email().max(320).optional(),
    display: z.string().max(256).optional(),
  }),
  workflow: text(128).optional(),
  environment: text(64).default('production'),
  session_id: text(256).optional(),
  context: jsonObject.default({}),
  callback_url: z.url({ protocol: /^https?$/ }).max(2048).optional(),
  target: z.string().max(512).optional(),
});

export const actionIdParams = z.strictObject({ id: z.string().min(1).max(64) });

export const getActionQuery = z.strictObject({
  wait: z.coerce.number().min(0).max(60).optional(),
});

/**
 * POST /v1/actions/:id/result. `args` are the arguments the agent executed, in
 * full (its own values for redacted fields, the approved values for edited
 * ones); Airlock checks them against what was approved and never stores them.
 */
export const reportResultBody = z.strictObject({
  outcome: z.enum(RESULT_OUTCOMES),
  args: jsonObject,
  detail: z.string().max(4000).optional(),
  external_ref: z.string().max(512).optional(),
});

export const idempotencyHeaders = z.object({
  'idempotency-key': z.string().min(1).max(255).optional(),
});
