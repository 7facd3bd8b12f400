import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

/**
 * The chat benchmarks' policy: test/fixtures/approval-policy.yml plus
 * `channels` reviewer groups, each with its own Slack channel and Teams
 * conversation, and one tool per group (`card_000` → group `b000`, channel
 * `C0B000`, conversation `19:b000@thread.tacv2`). Slack takes about one post
 * a second per channel and Teams one every 2 s per conversation, so a load of
 * 100 cards a second is only real when spread over enough of them.
 */
export const BASE_POLICY = 'test/fixtures/approval-policy.yml';

export const pad = (i: number) => String(i).padStart(3, '0');
export const toolOf = (i: number) => `card_${pad(i)}`;
export const channelOf = (i: number) => `C0B${pad(i)}`;
export const conversationOf = (i: number) => `19:b${pad(i)}@thread.tacv2`;

export interface BenchPolicy {
  path: string;
  remove(): void;
}

export function writeBenchPolicy(opts: { channels: number; teams?: { tenantId: string; serviceUrl: string; users: string[] } }): BenchPolicy {
  const policy = parse(readFileSync(BASE_POLICY, 'utf8')) as {
    tenants: Record<string, { teams?: unknown; reviewer_groups: Record<string, unknown>; agents: Record<string, { tools: string[] }> }>;
    tools: Record<string, unknown>;
  };
  const acme = policy.tenants.acme!;
  if (opts.teams) acme.teams = { tenant_id: opts.teams.tenantId, service_url: opts.teams.serviceUrl };
  for (let i = 0; i < opts.channels; i++) {
    acme.reviewer_groups[`b${pad(i)}`] = {
      slack: { channel: channelOf(i), users: ['U0LEAD1', 'U0LEAD2'] },
      ...(opts.teams ? { teams: { conversation_id: conversationOf(i), users: opts.teams.users } } : {}),
      max_pending: 100_000,
    };
    // As send_email, routed to this group.
    policy.tools[toolOf(i)] = {
      risk: 'high',
      effects: ['external_effect', 'irreversible'],
      mode: 'approval_required',
      safest_mode: 'draft_write',
      approval: { reviewers: `b${pad(i)}`, timeout: '1h', on_timeout: 'fallback' },
      consequence: 'Emails {{args.to}} with subject “{{args.subject}}”. Cannot be unsent.',
      redact: ['body'],
    };
    acme.agents.bot!.tools.push(toolOf(i));
  }
  const dir = mkdtempSync(join(tmpdir(), 'airlock-bench-policy-'));
  const path = join(dir, 'policy.yml');
  writeFileSync(path, stringify(policy, { aliasDuplicateObjects: false }));
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
