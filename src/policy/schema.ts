import { z } from 'zod';
import { EFFECTS, MODES, ON_TIMEOUT, RISKS, SAFE_MODES } from '../domain/decision.js';
import { parseDuration } from '../domain/duration.js';

const id = z.string().min(1).max(128);
const duration = z.string().refine((s) => parseDuration(s) !== undefined, {
  message: 'expected a duration like 30s, 15m, 2h or 1d',
});

const slackGroup = z
  .strictObject({
    channel: id,
    users: z.array(id).default([]),
    usergroup: id.optional(),
  })
  .refine((g) => g.users.length > 0 || g.usergroup !== undefined, {
    message: 'a Slack reviewer group needs users or a usergroup',
  });

const teamsGroup = z.strictObject({
  conversation_id: id,
  users: z.array(id).min(1),
});

const reviewerGroup = z
  .strictObject({
    slack: slackGroup.optional(),
    teams: teamsGroup.optional(),
    max_pending: z.number().int().positive().default(500),
  })
  .refine((g) => g.slack || g.teams, { message: 'a reviewer group needs a slack or teams target' });

const tenant = z.strictObject({
  slack: z.strictObject({ team_id: id }).optional(),
  teams: z.strictObject({ tenant_id: id, service_url: z.url() }).optional(),
  admins: z
    .strictObject({ slack: z.array(id).default([]), teams: z.array(id).default([]) })
    .default({ slack: [], teams: [] }),
  reviewer_groups: z.record(id, reviewerGroup).default({}),
  agents: z.record(id, z.strictObject({ tools: z.array(id) })).default({}),
});

const approval = z
  .strictObject({
    reviewers: id,
    required: z.number().int().min(1).max(10).default(1),
    timeout: duration,
    on_timeout: z.enum(ON_TIMEOUT).default('deny'),
    escalate_to: id.optional(),
    remind_after: duration.optional(),
    editable: z.array(z.string().min(1)).default([]),
  })
  .refine((a) => a.on_timeout !== 'escalate' || a.escalate_to !== undefined, {
    message: 'on_timeout: escalate needs escalate_to',
    path: ['escalate_to'],
  });

const condition = z.strictObject({
  if: z.string().min(1).max(2000),
  then: z.enum([...MODES, 'deny']),
});

const tool = z
  .strictObject({
    owner: z.string().optional(),
    description: z.string().optional(),
    risk: z.enum(RISKS),
    effects: z.array(z.enum(EFFECTS)).default([]),
    mode: z.enum(MODES),
    safest_mode: z.enum(SAFE_MODES).default('observe'),
    approval: approval.optional(),
    when: z.array(condition).default([]),
    consequence: z.string().max(2000).optional(),
    redact: z.array(z.string().min(1)).default([]),
  })
  .refine((t) => t.approval !== undefined || (t.mode !== 'approval_required' && !t.when.some((w) => w.then === 'approval_required')), {
    message: 'a tool that can require approval needs an approval block',
    path: ['approval'],
  });

export const policyFileSchema = z
  .strictObject({
    tenants: z.record(id, tenant),
    tools: z.record(id, tool),
  })
  // Cross references run even when other fields failed, so one `policy check`
  // lists every problem; they read the raw value defensively for that reason.
  .superRefine(
    (file: RawPolicy, ctx) => {
      const tools = (file.tools ?? {}) as Record<string, { approval?: { reviewers?: unknown; escalate_to?: unknown } } | undefined>;
      for (const [tenantId, t] of Object.entries(file.tenants ?? {})) {
        for (const [agentName, agent] of Object.entries(t?.agents ?? {})) {
          (Array.isArray(agent?.tools) ? agent.tools : []).forEach((toolName, i) => {
            if (typeof toolName === 'string' && !tools[toolName]) {
              ctx.addIssue({ code: 'custom', path: ['tenants', tenantId, 'agents', agentName, 'tools', i], message: `unknown tool ${toolName}` });
            }
          });
        }
        for (const [toolName, tl] of Object.entries(tools)) {
          const usedHere = Object.values(t?.agents ?? {}).some((a) => Array.isArray(a?.tools) && a.tools.includes(toolName));
          if (!usedHere || !tl?.approval) continue;
          for (const key of ['reviewers', 'escalate_to'] as const) {
            const group = tl.approval[key];
            if (typeof group === 'string' && !t?.reviewer_groups?.[group]) {
              ctx.addIssue({
                code: 'custom',
                path: ['tools', toolName, 'approval', key],
                message: `reviewer group ${group} is not declared in tenant ${tenantId}, whose agents use ${toolName}`,
              });
            }
          }
        }
      }
    },
    { when: () => true },
  );

interface RawPolicy {
  tenants?: Record<string, { agents?: Record<string, { tools?: unknown } | undefined>; reviewer_groups?: Record<string, unknown> } | undefined>;
  tools?: Record<string, unknown>;
}

export type PolicyFile = z.infer<typeof policyFileSchema>;
