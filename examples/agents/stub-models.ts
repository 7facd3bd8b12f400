/**
 * Scripted models so the examples run, and are tested, with no model and no
 * network: the first turn calls one tool with fixed arguments; once the tool
 * has answered, the model replies with what the tool said. Replace them with
 * a real model; nothing else in the examples changes.
 */
import { Usage, type Model, type ModelRequest, type ModelResponse } from '@openai/agents';
import type { LanguageModel } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AIMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import type { ChatResult } from '@langchain/core/outputs';

export interface Script {
  tool: string;
  args: Record<string, unknown>;
}

const reply = (toolOutput: unknown) => `The tool answered: ${typeof toolOutput === 'string' ? toolOutput : JSON.stringify(toolOutput)}`;

const textOf = (output: unknown) => (output && typeof output === 'object' && 'text' in output ? (output as { text: unknown }).text : output);

/** OpenAI Agents SDK. */
export function scriptedAgentsModel(script: Script): Model {
  return {
    async getResponse(request: ModelRequest): Promise<ModelResponse> {
      const items = typeof request.input === 'string' ? [] : request.input;
      const done = items.find((i) => i.type === 'function_call_result');
      const output: ModelResponse['output'] = done
        ? [{ type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: reply(textOf((done as { output: unknown }).output)) }] }]
        : [{ type: 'function_call', callId: 'call_1', name: script.tool, arguments: JSON.stringify(script.args), status: 'completed' }];
      return { usage: new Usage(), output };
    },
    getStreamedResponse() {
      throw new Error('the scripted model does not stream');
    },
  };
}

/** Vercel AI SDK (the SDK's own mock language model, scripted). */
export function scriptedAiSdkModel(script: Script): LanguageModel {
  const usage = { inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 1, text: 1, reasoning: 0 } };
  return new MockLanguageModelV3({
    doGenerate: async (options) => {
      const result = options.prompt.flatMap((m) => (m.role === 'tool' ? m.content : [])).find((p) => p.type === 'tool-result');
      if (result && result.type === 'tool-result') {
        return {
          content: [{ type: 'text', text: reply('value' in result.output ? result.output.value : result.output) }],
          finishReason: { unified: 'stop', raw: 'stop' },
          usage,
          warnings: [],
        };
      }
      return {
        content: [{ type: 'tool-call', toolCallId: 'call_1', toolName: script.tool, input: JSON.stringify(script.args) }],
        finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
        usage,
        warnings: [],
      };
    },
  });
}

/** LangChain.js (a chat model with bindTools). */
export class ScriptedChatModel extends BaseChatModel {
  constructor(private readonly script: Script) {
    super({});
  }
  _llmType() {
    return 'scripted';
  }
  override bindTools() {
    return this;
  }
  async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    const done = messages.find((m): m is ToolMessage => ToolMessage.isInstance(m));
    const message = done
      ? new AIMessage(reply(done.content))
      : new AIMessage({ content: '', tool_calls: [{ id: 'call_1', name: this.script.tool, args: this.script.args, type: 'tool_call' }] });
    return { generations: [{ text: String(message.content), message }] };
  }
}
