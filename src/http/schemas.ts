import { z } from 'zod';
import { ACTION_STATUSES, RESULT_OUTCOMES } from '../domain/action-status.js';
import { LIST_PAGE_SIZE } from '../usecases/list-actions.js';
import { jsonLimitViolation, type JsonLimits } from './json-limits.js';

/**
 * The most one `args` or `context` (and a result's `args`) may hold: roomy for
 * any real tool call, and small enough that the work after validation stays
 * within a few milliseconds of main-thread time (the README's error table
 * lists them). A larger value is refused with 400 before it is hashed,
 * evaluated or stored.
 */
export const JSON_LIMITS: Readonly<JsonLimits> = {
  depth: 32,
  entries: 5_000,
  arrayLength: 1_000,
  stringLength: 65_536,
  keyLength: 256,
};

/**
 * An object within JSON_LIMITS. The limits are checked first, in preprocess:
 * a failed check ends validation there, so a 60,000-key object is never
 * walked by the record schema.
 */
const jsonObject = z.preprocess((value, ctx) => {
  const why = jsonLimitViolation(value, JSON_LIMITS);
  if (why) ctx.issues.push({ code: 'custom', message: why, input: value });
  return value;
}, z.record(z.string(), z.unknown()));
const text = (max: number) => z.string().min(1).max(max);

/** Unknown fields named in an error, each cut to this many characters: the answer stays small whatever was sent. */
const NAMED_UNKNOWN_FIELDS = 5;
const UNKNOWN_FIELD_CHARS = 64;

/**
 * A strict object whose refusal of unknown fields costs at most one pass over
 * the keys and answers with a short message. (zod's own check lists every
 * unknown key: a body of 60,000 of them would be answered with a megabyte.)
 */
function strictFields<S extends Record<string, z.ZodType>>(shape: S) {
  return z.preprocess((value, ctx) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    const unknown: string[] = [];
    let count = 0;
    for (const key in value) {
      if (!Object.hasOwn(value, key) || Object.hasOwn(shape, key)) continue;
      count++;
      if (unknown.length < NAMED_UNKNOWN_FIELDS) unknown.push(JSON.stringify(key.slice(0, UNKNOWN_FIELD_CHARS)));
    }
    if (count > 0) {
      const more = count > unknown.length ? ` and ${count - unknown.length} more` : '';
      ctx.issues.push({ code: 'custom', message: `unknown field${count > 1 ? 's' : ''} ${unknown.join(', ')}${more}`, input: value });
    }
    return value;
  }, z.strictObject(shape));
}

/** POST /v1/actions. Strict: an unknown top-level field is a client bug worth a 400. */
export const submitActionBody = strictFields({
  tool: text(128),
  args: jsonObject.default({}),
  summary: z.string().max(4000).optional(),
  requester: strictFields({
    id: text(256),
    email: z.email().max(320).optional(),
    display: z.string().max(256).optional(),
  }),
  workflow: text(128).optional(),
  environment: text(64).default('production'),
  session_id: text(256).optional(),
  context: jsonObject.default({}),
  callback_url: z
    .url({ protocol: /^https?$/ })
    .max(2048)
    .optional()
    .meta({
      description:
        'where Airlock POSTs the action, signed (Airlock-Signature), once it is decided. Refused with a 400: credentials in the URL, and loopback, private, link-local or unique-local targets unless the deployment allows them (AIRLOCK_CALLBACK_ALLOW); a name that resolves to such an address when the callback is sent is refused then',
    }),
  target: z.string().max(512).optional(),
});

export const actionIdParams = z.strictObject({ id: z.string().min(1).max(64) });

export const getActionQuery = z.strictObject({
  wait: z.coerce.number().min(0).max(60).optional(),
});

const TIMESTAMP_FORM = 'an ISO 8601 timestamp with a time zone, e.g. 2025-01-31T09:00:00Z or 2025-01-31T10:00:00+01:00';
const timestampParam = (description: string) => z.iso.datetime({ offset: true, error: TIMESTAMP_FORM }).optional().meta({ description });
const pageSize = `a whole number from 1 to ${LIST_PAGE_SIZE.max}`;

/** GET /v1/actions. Strict, like the body of a submission: a misspelt filter is a 400, not a silently wider listing. */
export const listActionsQuery = z
  .strictObject({
    status: z.enum(ACTION_STATUSES, { error: `one of: ${ACTION_STATUSES.join(', ')}` }).optional(),
    tool: text(128).optional(),
    since: timestampParam('only actions created at or after this time'),
    until: timestampParam('only actions created before this time'),
    limit: z.coerce
      .number({ error: pageSize })
      .int(pageSize)
      .min(1, pageSize)
      .max(LIST_PAGE_SIZE.max, pageSize)
      .default(LIST_PAGE_SIZE.default)
      .meta({ description: `actions per page (default ${LIST_PAGE_SIZE.default})` }),
    cursor: z.string().min(1).max(512).optional().meta({ description: 'next_cursor of the previous page, asked with the same status, tool, since and until' }),
  })
  .superRefine((q, ctx) => {
    if (q.since !== undefined && q.until !== undefined && Date.parse(q.until) <= Date.parse(q.since)) {
      ctx.addIssue({ code: 'custom', path: ['until'], message: 'must be after since', input: q.until });
    }
  });

/**
 * POST /v1/actions/:id/result. `args` are the arguments the agent executed, in
 * full (its own values for redacted fields, the approved values for edited
 * ones); Airlock checks them against what was approved and never stores them.
 */
export const reportResultBody = strictFields({
  outcome: z.enum(RESULT_OUTCOMES),
  args: jsonObject,
  detail: z.string().max(4000).optional(),
  external_ref: z.string().max(512).optional(),
});

export const idempotencyHeaders = z.object({
  'idempotency-key': z.string().min(1).max(255).optional(),
});
