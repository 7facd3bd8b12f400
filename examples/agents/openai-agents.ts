/**
 * OpenAI Agents SDK: the refund tool runs only when Airlock allows it.
 *   AIRLOCK_AGENT_KEY=... node --import tsx --conditions=airlock-source examples/agents/openai-agents.ts
 * The model is a stub (no network): see stub-models.ts; use a real one by passing `model: 'gpt-4.1'`.
 */
import { Agent, run, setTracingDisabled, tool, type Model } from '@openai/agents';
import { z } from 'zod';
import { Airlock } from '@airlock/client';
import { airlockSettings, isMain, issueRefund, requester } from './billing.js';
import { scriptedAgentsModel } from './stub-models.js';

export function refundAgent(airlock: Airlock, model: Model | string) {
  // The gate: a denied refund throws an error whose message says why, which the SDK hands to the model.
  const gatedRefund = airlock.wrapTool(issueRefund, {
    tool: 'issue_refund',
    requester,
    summary: (a) => `Refund ${a.amount_cents} cents on order ${a.order_id}`,
    context: { confidence: 0.9 },
  });
  return new Agent({
    name: 'Support',
    instructions: 'You help customers. Refund orders when asked.',
    model,
    tools: [
      tool({
        name: 'issue_refund',
        description: 'Refund part of an order, in cents.',
        parameters: z.object({ order_id: z.string(), amount_cents: z.number().int() }),
        execute: (args) => gatedRefund(args),
      }),
    ],
  });
}

if (isMain(import.meta.url)) {
  setTracingDisabled(true);
  const airlock = new Airlock(airlockSettings());
  const model = scriptedAgentsModel({ tool: 'issue_refund', args: { order_id: 'o-1', amount_cents: 500 } });
  const result = await run(refundAgent(airlock, model), 'Please refund 5 EUR on order o-1.');
  console.log(result.finalOutput);
}
