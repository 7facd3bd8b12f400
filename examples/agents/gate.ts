import { Airlock } from '@airlock/client';

const agentKey = process.env.AIRLOCK_AGENT_KEY;
if (!agentKey) {
  console.error('AIRLOCK_AGENT_KEY is empty: set it to a key from `npm run -s airlock -- agent rotate --tenant acme --name support-bot` (`agent create` for a new agent).');
  process.exit(1);
}
const airlock = new Airlock({ url: process.env.AIRLOCK_URL ?? 'http://127.0.0.1:3000', agentKey });

// Your tool: runs only when Airlock says so, with the arguments it returns.
async function issueRefund(args: Record<string, unknown>) {
  return { refund_id: `rf-${args.order_id}` };
}

for (const amount_cents of [500, 90_000]) {
  const outcome = await airlock.gate({
    tool: 'issue_refund',
    args: { order_id: 'o-1', amount_cents },
    summary: `Refund ${amount_cents} cents on order o-1`,
    requester: { id: 'U0SAM', email: 'sam@example.com' },
    context: { confidence: 0.9 },
  });
  if (outcome.execute) {
    const receipt = await issueRefund(outcome.args);
    await airlock.reportResult(outcome.action, { outcome: 'succeeded', args: outcome.args, external_ref: receipt.refund_id });
    console.log(`${amount_cents}: refunded (${receipt.refund_id})`);
  } else {
    console.log(`${amount_cents}: not executed, mode ${outcome.mode}: ${outcome.reason}`);
  }
}
