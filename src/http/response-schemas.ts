import { z } from 'zod';
import { ACTION_STATUSES, RESULT_OUTCOMES } from '../domain/action-status.js';
import { DECISIONS, MODES } from '../domain/decision.js';

/**
 * What the agent API answers, as zod schemas: the routes declare them as
 * their responses (2xx answers are checked against them on the way out), and
 * the OpenAPI document at GET /openapi.json is generated from them. The `id`s
 * name the document's components.
 */
const timestamp = z.string().meta({ format: 'date-time' });

const reviewer = z
  .object({
    platform: z.string().meta({ description: 'the chat platform: slack or teams' }),
    id: z.string().meta({ description: 'Slack user id or Teams AAD object id' }),
    team_id: z.string().meta({ description: 'Slack workspace or AAD tenant' }),
    email: z.string().nullable(),
    name: z.string().nullable(),
    via: z.literal('cli').optional().meta({ description: 'present when an operator recorded the review from the CLI on this reviewer’s behalf' }),
  })
  .meta({ id: 'Reviewer' });

const review = z
  .object({
    reviewer,
    decision: z.enum(['approve', 'deny']),
    reason: z.string().nullable().meta({ description: 'required on deny: show it to the model' }),
    at: timestamp,
    round: z.number().int().meta({ description: '0, or 1 after an escalation' }),
    args_version: z.number().int().meta({ description: 'the version of the arguments the reviewer saw' }),
    args_sha256: z.string().nullable(),
  })
  .meta({ id: 'Review' });

const argsEdit = z
  .object({
    version: z.number().int(),
    by: reviewer,
    at: timestamp,
    changes: z.array(z.object({ path: z.string(), from: z.unknown().optional(), to: z.unknown().optional() })),
  })
  .meta({ id: 'ArgsEdit' });

const result = z
  .object({
    outcome: z.enum(RESULT_OUTCOMES),
    detail: z.string().nullable(),
    external_ref: z.string().nullable(),
    args_check: z.enum(['match', 'mismatch']).nullable().meta({ description: 'whether the reported args are the ones approved' }),
    violation: z.string().nullable(),
    at: timestamp,
  })
  .meta({ id: 'ActionResult' });

export const actionView = z
  .looseObject({
    id: z.string(),
    status: z.enum(ACTION_STATUSES),
    decision: z.enum(DECISIONS),
    mode: z.enum(MODES).meta({ description: 'what the agent may do: allow, a restricted mode (search_only, draft_write, observe = record only), approval_required while queued, off when denied' }),
    reasons: z.array(z.string()).meta({ description: 'one line per evaluation step that ran; the last says why' }),
    rule: z.string().meta({ description: 'the policy rule that decided, e.g. tools.send_customer_email.mode' }),
    policy_version: z.string(),
    expires_at: timestamp.nullable().meta({ description: 'when a pending approval times out' }),
    tool: z.string(),
    agent: z.string(),
    created_at: timestamp,
    decided_at: timestamp.nullable(),
    args_version: z.number().int().meta({ description: '1 as submitted; each approved edit adds one' }),
    args_sha256: z.string().meta({ description: 'keyed binding digest (HMAC-SHA256 with AIRLOCK_SECRET) of the current arguments; only Airlock can compute it' }),
    outcome_detail: z.string().optional().meta({ description: 'why the action ended without a review (timeout, admin command, undeliverable card)' }),
    reviews: z.array(review).optional(),
    approved_args: z
      .record(z.string(), z.unknown())
      .optional()
      .meta({ description: 'the arguments to execute after "approve with changes"; redacted fields hold "[redacted]": use your own submitted values there' }),
    args_edits: z.array(argsEdit).optional(),
    result: result.optional(),
  })
  .meta({ id: 'Action', description: 'An action as it stands. Unknown fields may appear in later versions: ignore them.' });

export const actionList = z
  .object({
    actions: z.array(actionView).meta({ description: 'newest first (creation time, then id)' }),
    next_cursor: z.string().nullable().meta({ description: 'ask again with cursor=this and the same filters for the next page; null after the last' }),
  })
  .meta({ id: 'ActionList' });

export const agentProfile = z
  .object({
    tenant: z.string(),
    agent: z.string(),
    tools: z.array(z.string()).meta({ description: 'the tools the policy registers for this agent (its hard boundary); anything else is denied' }),
    environments: z.array(z.string()),
    mcp: z.object({ hide_unregistered_tools: z.boolean() }),
  })
  .meta({ id: 'AgentProfile' });

/** Every error status the agent API answers with, and the codes each carries (README "HTTP API"). */
export const ERROR_CODES = {
  400: { codes: ['validation_failed', 'bad_request'], when: 'malformed JSON, wrong types, unknown top-level fields or query parameters (details name the paths), nesting deeper than 32 levels, NUL or unpaired surrogates, a cursor not issued for this listing' },
  401: { codes: ['unauthenticated'], when: 'missing, unknown, revoked or expired agent key' },
  403: { codes: ['forbidden'], when: "the key's agent or tenant is no longer declared in the policy" },
  404: { codes: ['not_found'], when: "unknown action, or another tenant's" },
  408: { codes: [], when: 'the request (headers and body) did not arrive within AIRLOCK_REQUEST_TIMEOUT; answered without a body, and the connection is closed' },
  409: { codes: ['idempotency_conflict', 'conflict'], when: 'Idempotency-Key reused with another body; a result reported twice or for an action that takes none' },
  413: { codes: ['payload_too_large'], when: 'body over 1 MB, answered as soon as the length is known to exceed it; the connection is closed' },
  415: { codes: ['unsupported_media_type'], when: 'a body that is not application/json' },
  429: { codes: ['rate_limited'], when: 'the agent is over its request rate limit, or already holds its maximum of waiting ?wait requests; Retry-After says how many seconds to wait' },
  500: { codes: ['internal'], when: 'an unexpected error: nothing was decided' },
  503: { codes: ['unavailable'], when: 'Postgres unreachable: nothing was decided, retry (never an allow)' },
} as const satisfies Record<number, { codes: readonly string[]; when: string }>;

type ErrorStatus = keyof typeof ERROR_CODES;

const errorSchemas = Object.fromEntries(
  Object.entries(ERROR_CODES)
    .filter(([, { codes }]) => codes.length > 0)
    .map(([status, { codes, when }]) => [
    status,
    z
      .object({
        error: z.object({
          code: z.enum(codes as unknown as [string, ...string[]]),
          message: z.string(),
          details: z.array(z.object({ path: z.string(), message: z.string() })),
        }),
      })
      .meta({ id: `Error${status}`, description: when }),
  ]),
) as unknown as { [S in ErrorStatus]: z.ZodType };

/** A response as the OpenAPI document describes it: what it means, and its JSON body. */
export const json = <T extends z.ZodType>(description: string, schema: T) => ({ description, content: { 'application/json': { schema } } });

/** Error responses for a route: the statuses every agent route can answer, and `extra` ones. */
export function errorResponses(...extra: ErrorStatus[]) {
  const statuses: ErrorStatus[] = [400, 401, 403, 408, ...extra, 429, 500, 503];
  return Object.fromEntries(
    [...new Set(statuses)].sort().map((s) => [s, ERROR_CODES[s].codes.length > 0 ? json(ERROR_CODES[s].when, errorSchemas[s]) : z.null().meta({ description: ERROR_CODES[s].when })]),
  );
}

export const bearerAuth = [{ bearerAuth: [] }];
