import type pg from 'pg';

/**
 * `n` actions of `tenant` from index `first`, created over the last 29.5 days (inside the default window however long the bench runs)
 * in the order of their index, as actions arrive (the table's physical order follows time, as it does in use). Per action, r
 * (uniform in [0, 1)) picks the intake decision: 60 % allow, 10 % constrain, 3 % deny,
 * 2 % fallback, 25 % queued; a queued one ends approved (80 %), denied by reviewers
 * (8 %), expired (7 %: denied or fallen back on timeout), withdrawn by an admin (1 %)
 * or is still pending; half of what may execute reports a result, 1 in 199 of them a
 * mismatch. Time to decision: r2 * r3 of an hour (most within minutes, a long tail).
 */
const SEED_SQL = `
WITH src AS (
  SELECT i, gen_random_uuid() AS id, random() AS r, random() AS q, random() AS r2, random() AS r3, random() AS rr,
    now() - make_interval(secs => (1 - ((i - $4::bigint) + random()) / $5::bigint) * 29.5 * 86400) AS created_at,
    (ARRAY['send_customer_email','issue_refund','search_orders','update_crm','deploy_service','read_docs','delete_records','post_message'])[1 + i % 8] AS tool
  FROM generate_series($2::bigint, $3::bigint) AS i
), shaped AS (
  SELECT *,
    CASE WHEN r < 0.60 THEN 'allow' WHEN r < 0.70 THEN 'constrain' WHEN r < 0.73 THEN 'deny' WHEN r < 0.75 THEN 'fallback' ELSE 'queue_for_approval' END AS intake,
    CASE WHEN q < 0.80 THEN 'approved' WHEN q < 0.88 THEN 'denied' WHEN q < 0.95 THEN 'expired' WHEN q < 0.96 THEN 'withdrawn' ELSE 'pending' END AS ending
  FROM src
), final AS (
  SELECT *,
    CASE intake WHEN 'queue_for_approval' THEN (ARRAY['finance','leads','oncall'])[1 + i % 3] END AS reviewer_group,
    CASE
      WHEN intake <> 'queue_for_approval' THEN intake
      WHEN ending IN ('approved', 'denied', 'pending') THEN 'queue_for_approval'
      WHEN ending = 'expired' THEN CASE WHEN i % 2 = 0 THEN 'fallback' ELSE 'deny' END
      ELSE 'deny' END AS decision,
    CASE
      WHEN intake = 'allow' THEN 'allow' WHEN intake = 'constrain' THEN 'draft_write' WHEN intake = 'deny' THEN 'off' WHEN intake = 'fallback' THEN 'observe'
      WHEN ending IN ('approved', 'pending') THEN 'approval_required' WHEN ending = 'expired' AND i % 2 = 0 THEN 'draft_write' ELSE 'off' END AS mode
  FROM shaped
), executed AS (
  SELECT *,
    (rr < 0.5 AND (decision IN ('allow', 'constrain', 'fallback') OR (intake = 'queue_for_approval' AND ending = 'approved'))) AS has_result
  FROM final
), ins AS (
  INSERT INTO action_payloads (action_id, args, context)
  SELECT id, jsonb_build_object('to', 'customer' || i || '@example.com', 'subject', 'Your order ' || i,
      'body', repeat('Thank you for your patience while we looked into this. ', 15), 'order_id', 'o-' || i, 'locale', 'en-GB'),
    jsonb_build_object('ticket', 'SUP-' || i, 'confidence', round(r::numeric, 2))
  FROM executed
)
INSERT INTO actions (id, tenant_id, agent, tool, status, decision, mode, reasons, rule, hard_boundary, policy_version, args_sha256,
  submitted_args_digest, summary, requester, workflow, environment, session_id, risk, effects, consequence, reviewer_group,
  required_approvals, expires_at, created_at, decided_at, result, latency_ms, request_hash)
SELECT id, $1, 'support-bot', tool,
  CASE
    WHEN has_result THEN CASE WHEN rr < 0.45 THEN 'succeeded' WHEN rr < 0.49 THEN 'failed' ELSE 'rolled_back' END
    WHEN intake <> 'queue_for_approval' THEN 'decided'
    WHEN ending = 'withdrawn' THEN 'denied'
    ELSE ending END,
  decision, mode,
  jsonb_build_array('agent support-bot is declared', 'tool ' || tool || ' is registered', 'context.confidence < 0.8: approval_required'),
  CASE WHEN ending = 'withdrawn' AND intake = 'queue_for_approval' THEN 'overrides.deny_tool' ELSE 'tools.' || tool || '.when[0]' END,
  'passed', md5(i::text) || '.3', encode(sha256(i::text::bytea), 'hex'), encode(sha256(i::text::bytea), 'hex'),
  'Tell customer ' || i || ' their refund is on its way', '{"id":"U0SAM","email":"sam@example.com"}', 'customer-support', 'production',
  'sess-' || (i % 977), 'high', '["external_effect","irreversible"]',
  'Sends an email to a customer with the subject "Your refund"; it cannot be unsent', reviewer_group,
  CASE WHEN reviewer_group IS NOT NULL THEN 1 END, CASE WHEN reviewer_group IS NOT NULL THEN created_at + interval '1 hour' END,
  created_at,
  CASE
    WHEN intake <> 'queue_for_approval' THEN created_at
    WHEN ending = 'pending' THEN NULL
    WHEN ending = 'expired' THEN created_at + interval '1 hour'
    ELSE created_at + make_interval(secs => r2 * r3 * 3600) END,
  CASE WHEN has_result THEN jsonb_build_object('outcome', CASE WHEN rr < 0.45 THEN 'succeeded' WHEN rr < 0.49 THEN 'failed' ELSE 'rolled_back' END,
    'argsCheck', CASE WHEN i % 199 = 0 THEN 'mismatch' ELSE 'match' END, 'at', created_at + interval '2 hours') END,
  2.5, md5(i::text)
FROM executed`;

/** Seeds in chunks of 100,000 (one statement each), so no single statement holds a million rows in memory. */
export async function seedActions(pool: pg.Pool, tenant: string, n: number, first: number) {
  const CHUNK = 100_000;
  for (let from = first; from < first + n; from += CHUNK) await pool.query(SEED_SQL, [tenant, from, Math.min(from + CHUNK, first + n) - 1, first, n]);
}
