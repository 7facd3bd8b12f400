/**
 * A stand-in MCP server with the tools of examples/policy.yml (lookup_order,
 * send_customer_email, issue_refund, draft_reply), so the gateway can be
 * tried against `npm start` with nothing else installed. Each tool only says
 * what it would have done.
 *   npm run -s airlock -- mcp-gateway -- node --import tsx examples/mcp/support-tools-server.ts
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const server = new McpServer({ name: 'support-tools', version: '1.0.0' });
const done = (text: string) => ({ content: [{ type: 'text' as const, text }] });

server.registerTool(
  'lookup_order',
  { description: 'Look up an order.', inputSchema: { order_id: z.string() }, annotations: { readOnlyHint: true } },
  async ({ order_id }) => done(`order ${order_id}: shipped`),
);
server.registerTool(
  'send_customer_email',
  { description: 'Email a customer.', inputSchema: { to: z.email(), subject: z.string().max(200), body: z.string() } },
  async ({ to, subject }) => done(`sent “${subject}” to ${to}`),
);
server.registerTool(
  'issue_refund',
  { description: 'Refund part of an order, in cents.', inputSchema: { order_id: z.string(), amount_cents: z.number().int() } },
  async ({ order_id, amount_cents }) => done(`refunded ${amount_cents} cents on ${order_id}`),
);
server.registerTool(
  'draft_reply',
  { description: 'Save a draft reply to a customer.', inputSchema: { to: z.string(), text: z.string() } },
  async ({ to }) => done(`draft saved for ${to}`),
);

await server.connect(new StdioServerTransport());
