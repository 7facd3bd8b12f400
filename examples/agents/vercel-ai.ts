/**
 * Vercel AI SDK: the refund tool runs only when Airlock allows it.
 *   AIRLOCK_AGENT_KEY=... node --import tsx --conditions=airlock-source examples/agents/vercel-ai.ts
 * The model is a stub (no network): see stub-models.ts; use a real one from any provider package.
 */
import { generateText, stepCountIs, tool, type LanguageModel } from 'ai';
import { z } from 'zod';
import { Airlock } from '@airlock/client';
import { airlockSettings, isMain, issueRefund, requester } from './billing.js';
import { scriptedAiSdkModel } from './stub-models.js';

export function refundTools(airlock: Airlock) {
  const gatedRefund = airlock.wrapTool(issueRefund, {
    tool: 'issue_refund',
    requester,
    summary: (a) => `Refund ${a.amount_cents} cents on order ${a.order_id}`,
    context: { confidence: 0.9 },
    // Not run: the model reads why, instead of an exception ending the generation.
    onNotExecuted: (outcome) => ({ refused: outcome.reason }),
  });
  return {
    issue_refund: tool({
      description: 'Refund part of an order, in cents.',
      inputSchema: z.object({ order_id: z.string(), amount_cents: z.number().int() }),
      execute: (args) => gatedRefund(args),
    }),
  };
}

export async function askForRefund(airlock: Airlock, model: LanguageModel, prompt: string) {
  return generateText({ model, tools: refundTools(airlock), prompt, stopWhen: stepCountIs(3) });
}

if (isMain(import.meta.url)) {
  const airlock = new Airlock(airlockSettings());
  const model = scriptedAiSdkModel({ tool: 'issue_refund', args: { order_id: 'o-1', amount_cents: 500 } });
  console.log((await askForRefund(airlock, model, 'Please refund 5 EUR on order o-1.')).text);
}
