import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadPolicyFile } from '../../../src/policy/load-policy.js';
import { ENDLESS_CURSOR_SERVER, NOTES_SERVER } from '../../support/mcp-gateway.js';
import { runCli } from '../../support/run-cli.js';

describe('policy import-mcp', () => {
  it('prints policy entries for every tool of an MCP server, denied until the owner sets risk and mode, with args_schema from the input schema', async () => {
    // As a process: the MCP server it starts writes its stderr straight to the CLI's.
    const { code, stdout, stderr } = await runCli(['policy', 'import-mcp', '--server-name', 'notes', '--', ...NOTES_SERVER], {}, { spawn: true });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('# the server says: readOnlyHint: true');
    const { tools } = parse(stdout) as { tools: Record<string, { risk: string; mode: string; args_schema: unknown; description?: string }> };
    expect(Object.keys(tools).sort()).toEqual(['notes.drop_notes', 'notes.format_disk', 'notes.read_note', 'notes.search_notes', 'notes.write_note']);
    expect(tools['notes.write_note']).toEqual({
      description: 'Write a note.',
      owner: 'unassigned',
      risk: 'high',
      mode: 'off',
      args_schema: { type: 'object', properties: { id: { type: 'string', maxLength: 64 }, text: { type: 'string', maxLength: 1000 } }, required: ['id', 'text'] },
    });

    // Pasted into a policy as printed, it loads, and the schema holds arguments to what the tool takes.
    const dir = mkdtempSync(path.join(tmpdir(), 'airlock-import-'));
    try {
      const file = path.join(dir, 'policy.yml');
      writeFileSync(file, stringify({ tenants: { acme: { agents: { bot: { tools: ['notes.write_note'] } } } } }) + stdout);
      const policy = await loadPolicyFile(file);
      const writeNote = policy.tools.get('notes.write_note')!;
      expect(writeNote.mode).toBe('off');
      expect(writeNote.checkArgs!({ id: 'n1', text: 'x' })).toEqual([]);
      expect(writeNote.checkArgs!({ id: 'n1' })).toEqual([{ path: 'text', message: 'is required' }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['never stops paging', 'fresh', /more than 100 pages/],
    ['repeats a cursor', 'repeat', /repeated a cursor/],
  ])('fails with a clear error, printing no policy, when the server %s', async (_name, mode, why) => {
    const { code, stdout, stderr } = await runCli(['policy', 'import-mcp', '--server-name', 'notes', '--', ...ENDLESS_CURSOR_SERVER], { ENDLESS_CURSOR: mode }, { spawn: true, timeoutMs: 20_000 });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(why);
  });

  it('says how to name the server when no command is given', async () => {
    const { code, stderr } = await runCli(['policy', 'import-mcp'], {});
    expect(code).toBe(2);
    expect(stderr).toContain('name the MCP server');
  });
});
