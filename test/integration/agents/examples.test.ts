import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { setTracingDisabled, run } from '@openai/agents';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Airlock } from '@airlock/client';
import { refunds } from '../../../examples/agents/billing.js';
import { askForRefund as askLangChain } from '../../../examples/agents/langchain.js';
import { refundAgent } from '../../../examples/agents/openai-agents.js';
import { ScriptedChatModel, scriptedAgentsModel, scriptedAiSdkModel } from '../../../examples/agents/stub-models.js';
import { askForRefund as askVercel } from '../../../examples/agents/vercel-ai.js';
import { makeCreateAgent } from '../../../src/usecases/create-agent.js';
import { startAirlock, type TestAirlock } from '../../support/airlock.js';
import { TEST_SECRET } from '../../support/secret.js';

/**
 * The framework examples, run as written against a real Airlock on
 * examples/policy.yml (the one `npm start` uses), each with its scripted
 * stand-in for a model: a small refund is allowed and runs, a huge one is
 * denied by the policy and the model is told why.
 */
let t: TestAirlock;
let airlock: Airlock;
let supportBotKey: string;
const airlockUrl = () => `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;

beforeAll(async () => {
  setTracingDisabled(true);
  t = await startAirlock({ policyFile: 'examples/policy.yml' });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  supportBotKey = (await makeCreateAgent({ agents: t.core.agents, policy: t.core.policy })('acme', 'support-bot')).key;
  airlock = new Airlock({ url: airlockUrl(), agentKey: supportBotKey });
});
afterAll(() => t.close());
beforeEach(() => {
  refunds.length = 0;
});

const runNode = (args: string[], env: Record<string, string>) => promisify(execFile)('node', args, { env: { ...process.env, ...env } });

const small = { tool: 'issue_refund', args: { order_id: 'o-1', amount_cents: 500 } };
const huge = { tool: 'issue_refund', args: { order_id: 'o-2', amount_cents: 60_000 } };

const frameworks: [string, (script: typeof small) => Promise<string>][] = [
  ['OpenAI Agents SDK', async (s) => String((await run(refundAgent(airlock, scriptedAgentsModel(s)), 'refund please')).finalOutput)],
  ['Vercel AI SDK', async (s) => (await askVercel(airlock, scriptedAiSdkModel(s), 'refund please')).text],
  ['LangChain.js', (s) => askLangChain(airlock, new ScriptedChatModel(s), 'refund please')],
];

describe.each(frameworks)('%s example', (_name, ask) => {
  it('runs the refund Airlock allows and reports it', async () => {
    const answer = await ask(small);
    expect(refunds).toEqual([small.args]);
    expect(answer).toContain('"refund_id":"rf-1"');
    const row = (await t.core.pool.query("SELECT status, decision FROM actions WHERE tool = 'issue_refund' ORDER BY created_at DESC LIMIT 1")).rows[0];
    expect(row).toEqual({ status: 'succeeded', decision: 'allow' });
  });

  it('never runs the refund the policy denies; the model reads why', async () => {
    const answer = await ask(huge);
    expect(refunds).toEqual([]);
    expect(answer).toMatch(/denied by policy: .*amount_cents > 50000/);
  });
});

describe('MCP client configuration (examples/mcp/claude_desktop_config.json)', () => {
  it('starts the gateway in front of the example support tools, as Claude Desktop would, and the policy decides each call', async () => {
    const config = JSON.parse(readFileSync('examples/mcp/claude_desktop_config.json', 'utf8')) as {
      mcpServers: Record<string, { command: string; args: string[]; env: Record<string, string> }>;
    };
    const entry = config.mcpServers['support-tools']!;
    const here = process.cwd();
    const client = new Client({ name: 'claude-desktop-stand-in', version: '1' });
    await client.connect(
      new StdioClientTransport({
        command: entry.command,
        args: entry.args.map((a) => a.replaceAll('/path/to/airlock', here)),
        env: { ...(process.env as Record<string, string>), ...entry.env, AIRLOCK_URL: airlockUrl(), AIRLOCK_AGENT_KEY: supportBotKey, AIRLOCK_SECRET: TEST_SECRET },
        stderr: 'pipe',
      }),
    );
    try {
      expect((await client.listTools()).tools.map((x) => x.name).sort()).toEqual(['draft_reply', 'issue_refund', 'lookup_order', 'send_customer_email']);
      const looked = (await client.callTool({ name: 'lookup_order', arguments: { order_id: 'o-9' } })) as CallToolResult;
      expect(looked.content).toEqual([{ type: 'text', text: 'order o-9: shipped' }]);
      const drafted = (await client.callTool({ name: 'draft_reply', arguments: { to: 'jane@example.com', text: 'hi' } })) as CallToolResult;
      // draft_write, and the configuration says draft_reply only saves drafts: it runs.
      expect(drafted.content).toEqual([{ type: 'text', text: 'draft saved for jane@example.com' }]);
      const row = (await t.core.pool.query("SELECT status, decision, mode FROM actions WHERE tool = 'draft_reply' ORDER BY created_at DESC LIMIT 1")).rows[0];
      expect(row).toEqual({ status: 'succeeded', decision: 'constrain', mode: 'draft_write' });
    } finally {
      await client.close();
    }
  });
});

describe('docs/agents.md, "Use it from your agent"', () => {
  const section = readFileSync('docs/agents.md', 'utf8');
  const tsBlocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);

  it('shows the example files exactly as they are in the repository', () => {
    expect(tsBlocks).toContain(readFileSync('examples/agents/gate.ts', 'utf8'));
    expect(tsBlocks).toContain(readFileSync('examples/agents/callback-receiver.ts', 'utf8'));
  });

  it('examples/agents/gate.ts prints what the page says against the example policy', async () => {
    const { stdout } = await runNode(['--import', 'tsx', '--conditions=airlock-source', 'examples/agents/gate.ts'], { AIRLOCK_URL: airlockUrl(), AIRLOCK_AGENT_KEY: supportBotKey });
    expect(stdout).toBe(
      '500: refunded (rf-o-1)\n90000: not executed, mode off: denied by policy: condition "args.amount_cents > 50000" matched → deny\n',
    );
    expect(section).toContain('# 500: refunded (rf-o-1)\n# 90000: not executed, mode off: denied by policy: condition "args.amount_cents > 50000" matched → deny');
  });

  it.each(['gate.ts', 'vercel-ai.ts', 'langchain.ts', 'openai-agents.ts'])('examples/agents/%s stops with one line saying how to get a key when AIRLOCK_AGENT_KEY is empty', async (file) => {
    const failed = await runNode(['--import', 'tsx', '--conditions=airlock-source', `examples/agents/${file}`], { AIRLOCK_URL: airlockUrl(), AIRLOCK_AGENT_KEY: '' }).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr.trim().split('\n')).toEqual([expect.stringMatching(/AIRLOCK_AGENT_KEY .*agent (create|rotate)/)]);
  });

  // Last in this file: it rotates support-bot's key, as a reader who did the Quickstart first would.
  it('gets a key and runs the example with the shell lines it shows, after the Quickstart created support-bot', async () => {
    const shell = section.slice(section.indexOf('## The TypeScript client')).match(/```sh\n([\s\S]*?)```/)![1]!;
    const { stdout } = await promisify(execFile)('bash', ['-c', shell], {
      env: { ...process.env, DATABASE_URL: t.db.url, REDIS_URL: '', POLICY_FILE: 'examples/policy.yml', AIRLOCK_SECRET: TEST_SECRET, AIRLOCK_URL: airlockUrl() },
    });
    expect(stdout).toContain('500: refunded (rf-o-1)\n90000: not executed, mode off: denied by policy');
  });
});
