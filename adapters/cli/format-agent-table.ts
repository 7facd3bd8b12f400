import { escapeTerminal } from '../../src/domain/terminal-text.js';
import type { AgentUseCases } from './cli-services.js';

type Listed = Awaited<ReturnType<AgentUseCases['list']>>;

/**
 * `agent list` for a terminal: one row per key. STATE is active, grace (valid
 * until UNTIL, left by a rotation), expired or revoked; an agent the policy no
 * longer declares is marked, since its keys are refused whatever their state.
 */
export function formatAgentTable(agents: Listed): string {
  if (agents.length === 0) return 'no agents';
  const rows = [['TENANT', 'AGENT', 'KEY', 'STATE', 'CREATED', 'UNTIL']];
  for (const a of agents) {
    const name = a.declared ? a.agent : `${a.agent} (not in policy)`;
    if (a.keys.length === 0) rows.push([a.tenant, name, '-', '-', a.created_at, '-']);
    for (const k of a.keys) rows.push([a.tenant, name, k.id, k.state, k.created_at, k.until ?? '-']);
  }
  for (const r of rows) r.forEach((cell, i) => (r[i] = escapeTerminal(cell)));
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n');
}
