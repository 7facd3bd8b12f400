/**
 * LangChain.js: the refund tool runs only when Airlock allows it.
 *   AIRLOCK_AGENT_KEY=... node --import tsx --conditions=airlock-source examples/agents/langchain.ts
 * The model is a stub (no network): see stub-models.ts; any chat model with bindTools works.
 */
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { HumanMessage, type BaseMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { z } from 'zod';
import { Airlock } from '@airlock/client';
import { airlockSettings, isMain, issueRefund, requester } from './billing.js';
import { ScriptedChatModel } from './stub-models.js';

export function refundTool(airlock: Airlock) {
  const gatedRefund = airlock.wrapTool(issueRefund, {
    tool: 'issue_refund',
    requester,
    summary: (a) => `Refund ${a.amount_cents} cents on order ${a.order_id}`,
    context: { confidence: 0.9 },
    onNotExecuted: (outcome) => ({ refused: outcome.reason }),
  });
  return tool(async (args) => JSON.stringify(await gatedRefund(args)), {
    name: 'issue_refund',
    description: 'Refund part of an order, in cents.',
    schema: z.object({ order_id: z.string(), amount_cents: z.number().int() }),
  });
}

/** The usual tool loop: the model asks, the (gated) tool answers, the model writes the reply. */
export async function askForRefund(airlock: Airlock, model: BaseChatModel, prompt: string): Promise<string> {
  const refund = refundTool(airlock);
  const llm = model.bindTools!([refund]);
  const messages: BaseMessage[] = [new HumanMessage(prompt)];
  for (let step = 0; step < 3; step++) {
    const reply = await llm.invoke(messages);
    messages.push(reply);
    if (!reply.tool_calls?.length) return String(reply.content);
    for (const call of reply.tool_calls) messages.push(await refund.invoke(call));
  }
  return 'gave up after 3 steps';
}

if (isMain(import.meta.url)) {
  const airlock = new Airlock(airlockSettings());
  const model = new ScriptedChatModel({ tool: 'issue_refund', args: { order_id: 'o-1', amount_cents: 500 } });
  console.log(await askForRefund(airlock, model, 'Please refund 5 EUR on order o-1.'));
}
