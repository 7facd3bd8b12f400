import { pathToFileURL } from 'node:url';

/** The tool the examples gate: in a real agent, the call to your billing system. */
export interface RefundArgs extends Record<string, unknown> {
  order_id: string;
  amount_cents: number;
}

export const refunds: RefundArgs[] = [];

export async function issueRefund(args: RefundArgs): Promise<{ refund_id: string; order_id: string; amount_cents: number }> {
  refunds.push(args);
  return { refund_id: `rf-${refunds.length}`, order_id: args.order_id, amount_cents: args.amount_cents };
}

/**
 * Where the examples find Airlock and their key. Without a key an example
 * started by hand stops with one line saying how to get one, rather than the
 * client's stack trace.
 */
export function airlockSettings() {
  const agentKey = process.env.AIRLOCK_AGENT_KEY;
  if (!agentKey) {
    console.error('AIRLOCK_AGENT_KEY is empty: set it to a key from `npm run -s airlock -- agent rotate --tenant acme --name support-bot` (`agent create` for a new agent).');
    process.exit(1);
  }
  return { url: process.env.AIRLOCK_URL ?? 'http://127.0.0.1:3000', agentKey };
}

/** The human the agent works for; Airlock never lets them approve their own request. */
export const requester = { id: 'U0SAM', email: 'sam@example.com' };

/** True when the file was started directly (`node … examples/agents/x.ts`), not imported. */
export const isMain = (url: string) => process.argv[1] !== undefined && url === pathToFileURL(process.argv[1]).href;
