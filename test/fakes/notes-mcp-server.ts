/**
 * A small real MCP server (stdio) for the gateway tests: notes in memory.
 * Every tool that runs appends `{tool, args}` to the file NOTES_LOG names,
 * so a test can tell exactly what was executed, and with which arguments.
 */
import { appendFileSync } from 'node:fs';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const notes = new Map<string, string>([['welcome', 'hello from the notes server']]);
const ran = (tool: string, args: unknown) => {
  if (process.env.NOTES_LOG) appendFileSync(process.env.NOTES_LOG, `${JSON.stringify({ tool, args })}\n`);
};
const text = (t: string) => ({ content: [{ type: 'text' as const, text: t }] });

const server = new McpServer({ name: 'notes', version: '1.0.0' });

server.registerTool(
  'read_note',
  { description: 'Read a note by id.', inputSchema: { id: z.string().max(64) }, annotations: { readOnlyHint: true } },
  async (args) => {
    ran('read_note', args);
    const note = notes.get(args.id);
    return note === undefined ? { ...text(`no note ${args.id}`), isError: true } : text(note);
  },
);
server.registerTool(
  'write_note',
  { description: 'Write a note.\nOverwrites any note with the same id.', inputSchema: { id: z.string().max(64), text: z.string().max(1000) }, annotations: { destructiveHint: true } },
  async (args) => {
    ran('write_note', args);
    notes.set(args.id, args.text);
    return text(`wrote ${args.id}: ${args.text}`);
  },
);
server.registerTool('search_notes', { description: 'Search notes.', inputSchema: { query: z.string() }, annotations: { readOnlyHint: true } }, async (args) => {
  ran('search_notes', args);
  return text([...notes].filter(([, v]) => v.includes(args.query)).map(([k]) => k).join(', ') || 'nothing found');
});
server.registerTool('drop_notes', { description: 'Delete every note.', annotations: { destructiveHint: true } }, async () => {
  ran('drop_notes', {});
  notes.clear();
  return text('dropped every note');
});
server.registerTool('format_disk', { description: 'Not in any policy.' }, async () => {
  ran('format_disk', {});
  return text('formatted');
});

await server.connect(new StdioServerTransport());
