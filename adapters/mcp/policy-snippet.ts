import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { Document, isMap, type Pair, type Scalar } from 'yaml';
import { policyToolName } from './call-through-airlock.js';

/** JSON Schema keywords that Airlock's strict args_schema compiler would refuse or that mean nothing in a policy. */
const DROPPED_KEYWORDS = new Set(['$schema', '$id']);

function cleanSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(cleanSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  return Object.fromEntries(
    Object.entries(schema as Record<string, unknown>)
      .filter(([k]) => !DROPPED_KEYWORDS.has(k) && !k.startsWith('x-'))
      .map(([k, v]) => [k, k === 'properties' || k === '$defs' || k === 'definitions' ? mapValues(v as Record<string, unknown>, cleanSchema) : cleanSchema(v)]),
  );
}
const mapValues = (o: Record<string, unknown>, f: (v: unknown) => unknown) => Object.fromEntries(Object.entries(o ?? {}).map(([k, v]) => [k, f(v)]));

/**
 * The `tools:` entries registering an MCP server's tools in an Airlock policy.
 * Risk and mode are the owner's call: every tool comes as `risk: high`,
 * `mode: off` (denied until the owner picks a mode), with the server's own
 * annotations as comments to help decide. `args_schema` is the tool's input
 * schema, so Airlock refuses arguments the tool would not take. What the
 * server says of itself (name, version, descriptions, annotation names) is
 * untrusted: `escape` makes it safe for a terminal and a YAML comment.
 */
export function policySnippet(tools: Tool[], opts: { serverName?: string; serverLabel?: string; escape: (untrusted: string) => string }): string {
  const escapeTerminal = opts.escape;
  const entries: Record<string, Record<string, unknown>> = {};
  for (const tool of tools) {
    entries[policyToolName(tool.name, opts.serverName)] = {
      // What the server says of itself is untrusted: escaped, it can add no YAML line and no terminal sequence.
      ...(tool.description ? { description: escapeTerminal(tool.description.split('\n')[0]!.slice(0, 200)) } : {}),
      // Every tool names the team answerable for it; the owner replaces this before it goes live.
      owner: 'unassigned',
      risk: 'high',
      mode: 'off',
      args_schema: cleanSchema(tool.inputSchema),
    };
  }
  const doc = new Document({ tools: entries });
  doc.commentBefore = [
    ` Airlock policy entries for the tools of the MCP server ${escapeTerminal(opts.serverLabel ?? '')}`.trimEnd() + '.',
    ' Paste them under `tools:`, then for each tool set its `owner` (the team answerable for it), `risk` (low | medium | high) and `mode`',
    ' (off | observe | search_only | draft_write | approval_required | allow; approval_required needs an `approval:` block).',
    ' Until then every tool is `mode: off`: denied. Name the tools an agent may call in tenants.<tenant>.agents.<agent>.tools.',
  ].join('\n');
  const map = doc.get('tools', true);
  if (isMap(map)) {
    for (const pair of map.items as Pair<Scalar, unknown>[]) {
      const tool = tools.find((t) => policyToolName(t.name, opts.serverName) === pair.key.value);
      const hints = Object.entries(tool?.annotations ?? {})
        .filter(([k, v]) => k.endsWith('Hint') && typeof v === 'boolean')
        .map(([k, v]) => `${escapeTerminal(k)}: ${v}`);
      if (hints.length) pair.key.commentBefore = ` the server says: ${hints.join(', ')}`;
    }
  }
  return doc.toString({ lineWidth: 0 });
}
