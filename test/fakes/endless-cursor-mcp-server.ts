/**
 * A broken MCP server (stdio) for the gateway's paging limits: every
 * `tools/list` page says there is another. ENDLESS_CURSOR=fresh hands out a
 * new cursor each time (it never ends); ENDLESS_CURSOR=repeat hands back the
 * cursor it was given (a loop). Each page lists `read_note` (which the test
 * policy registers), so a call is allowed and only the listing can fail.
 * Every tool that runs appends `{tool, args}` to the file NOTES_LOG names.
 */
import { appendFileSync } from 'node:fs';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';

const repeat = process.env.ENDLESS_CURSOR === 'repeat';
let pages = 0;

const server = new Server({ name: 'endless', version: '1.0.0' }, { capabilities: { tools: {} } });
server.setRequestHandler(ListToolsRequestSchema, async (request) => {
  pages += 1;
  const given = request.params?.cursor;
  return {
    tools: [{ name: 'read_note', description: `Read a note (page ${pages}).`, inputSchema: { type: 'object' as const, properties: { id: { type: 'string' } } } }],
    nextCursor: repeat && given ? given : `page-${pages}`,
  };
});
server.setRequestHandler(CallToolRequestSchema, async (request) => {
  if (process.env.NOTES_LOG) appendFileSync(process.env.NOTES_LOG, `${JSON.stringify({ tool: request.params.name, args: request.params.arguments ?? {} })}\n`);
  return { content: [{ type: 'text' as const, text: 'ran' }] };
});

await server.connect(new StdioServerTransport());
