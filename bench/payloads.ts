/**
 * Realistic `args` for benchmarks: about 1 KB of JSON each, the size an agent
 * sends for a tool call with its context, not the smallest body that works.
 */
const line = (n: number) => ({ sku: `SKU-${1000 + n}`, title: `Replacement part number ${n} for the standard kit`, qty: 1 + (n % 3), unit_price_cents: 1299 + n * 7 });

/** An order lookup (allowed in examples/policy.yml). */
export const ORDER_ARGS = {
  order_id: 'ord_7f3a9c21e4b84d0f',
  customer: { id: 'cus_51b2c0d9', email: 'jordan.lee@example.com', name: 'Jordan Lee', tier: 'gold', locale: 'en-GB' },
  shipping: { line1: '221B Baker Street', city: 'London', postcode: 'NW1 6XE', country: 'GB', method: 'express' },
  items: Array.from({ length: 5 }, (_, i) => line(i)),
  reason: 'Customer asked where the second parcel is; checking the order before replying to the ticket in the support queue.',
  ticket: { id: 'T-482913', channel: 'email', priority: 'normal', tags: ['shipping', 'where-is-my-order', 'gold'] },
};

/** An admin grant (denied in examples/policy.yml). */
export const GRANT_ARGS = {
  user: 'mallory@example.com',
  role: 'org-admin',
  scope: { org: 'acme-prod', projects: ['billing', 'payments', 'identity', 'support-tools'], regions: ['eu-west-1', 'us-east-1'] },
  justification: 'Agent requests elevated access to rotate credentials for the payments integration after an alert fired overnight; ticket attached.',
  ticket: { id: 'SEC-10442', severity: 'high', opened_by: 'ops-bot', links: ['https://tickets.example.com/SEC-10442'] },
  duration_hours: 8,
  approvers_hint: ['security-oncall', 'platform-leads'],
  context: { alert: 'payments-credential-age', fired_at_unix: 1795200000, runbook: 'rotate-payments-creds', host: 'pay-worker-17' },
  notes: Array.from({ length: 4 }, (_, i) => `step ${i + 1}: confirm the change window, then apply the grant and record the outcome in the ticket`),
};

/** An outgoing email (queued for approval in bench/scale-policy.yml). */
export const EMAIL_ARGS = {
  to: 'jordan.lee@example.com',
  cc: ['support-escalations@example.com'],
  subject: 'Your order ord_7f3a9c21e4b84d0f: the second parcel and a partial refund',
  body: Array.from({ length: 6 }, (_, i) => `Paragraph ${i + 1}. We checked the shipment with the carrier and the second parcel left the depot this morning; tracking updates within the day.`).join('\n\n'),
  order_id: 'ord_7f3a9c21e4b84d0f',
  ticket: { id: 'T-482913', channel: 'email', priority: 'normal', tags: ['shipping', 'refund'] },
};

export const bytes = (args: unknown) => Buffer.byteLength(JSON.stringify(args));
