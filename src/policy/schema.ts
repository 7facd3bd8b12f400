import { z } from 'zod';
import { EFFECTS, MODES, ON_TIMEOUT, RISKS, SAFE_MODES } from '../domain/decision.js';
import { parseDuration } from '../domain/duration.js';
import { isSafeName, unsafeNameReason } from '../domain/names.js';
import { pathProblem, pathsOverlap } from '../domain/paths.js';
import { CONSEQUENCE_OBJECTS, CONSEQUENCE_SCOPE, PLACEHOLDER } from '../domain/render-consequence.js';
import { isCalendarDate } from '../domain/review-dates.js';
import { ROLLOUT_KEYS } from '../domain/rollout-bucket.js';

/** A platform id (channel, user, conversation, workspace): free text, compared, never used as a key. */
const id = z.string().min(1).max(256);
/** A name Airlock indexes by (tenant, tool, agent, reviewer group, environment). */
const name = z.string().superRefine((s, ctx) => {
  const why = unsafeNameReason(s);
  if (why) ctx.addIssue({ code: 'custom', message: `invalid name: ${why}` });
});
const duration = z.string().refine((s) => (parseDuration(s) ?? 0) > 0, {
  message: 'expected a positive duration like 30s, 15m, 2h or 1d',
});
const path = (wildcards: boolean) =>
  z.string().superRefine((p, ctx) => {
    const why = pathProblem(p, { wildcards });
    if (why) ctx.addIssue({ code: 'custom', message: `invalid argument path: ${why}` });
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

/** A person as the identity provider verified them: compared case-insensitively, so stored lower-cased. */
const email = z.email({ message: 'expected an email address (name@example.com)' }).transform((e) => e.toLowerCase());

/**
 * Who, in the web console: people by verified email, and IdP groups (read
 * from the claim the tenant's `identity.groups_claim` names).
 */
const consoleAudience = z
  .strictObject({ users: z.array(email).default([]), groups: z.array(id).default([]) })
  .refine((a) => a.users.length > 0 || a.groups.length > 0, { message: 'needs users or groups' });

const reviewerGroup = z
  .strictObject({
    slack: slackGroup.optional(),
    teams: teamsGroup.optional(),
    /** Reviewers who decide in the web console; a group may have this target alone (no chat app). */
    console: consoleAudience.optional(),
    max_pending: z.number().int().positive().default(500),
  })
  .refine((g) => g.slack || g.teams || g.console, { message: 'a reviewer group needs a slack, teams or console target' });

/** The tenant's identity provider: which of its claims Airlock reads. */
const identity = z.strictObject({
  /** Only sign-ins (and tokens) from this issuer count for the tenant; absent: the console's OIDC_ISSUER. */
  issuer: z.url({ protocol: /^https?$/ }).optional(),
  audience: id.optional(),
  /** The ID token claim that lists the person's groups. */
  groups_claim: id.optional(),
  /** What counts as multi-factor: any of these `amr` values, or an `acr` among these. */
  mfa: z
    .strictObject({ amr: z.array(id).default([]), acr: z.array(id).default([]) })
    .refine((m) => m.amr.length > 0 || m.acr.length > 0, { message: 'needs amr or acr values' })
    .optional(),
});

const consoleRoles = z
  .strictObject({ auditors: consoleAudience.optional(), admins: consoleAudience.optional() })
  .default({});

const agent = z.strictObject({
  tools: z.array(name),
  /** Narrows the tenant's environments for this agent (hard boundary). */
  environments: z.array(name).min(1).optional(),
  /** For the MCP gateway: hide tools this agent may not call from `tools/list` (they are denied either way). */
  mcp: z.strictObject({ hide_unregistered_tools: z.boolean().default(false) }).optional(),
});

const tenant = z.strictObject({
  slack: z.strictObject({ team_id: id }).optional(),
  teams: z.strictObject({ tenant_id: id, service_url: z.url({ protocol: /^https$/ }) }).optional(),
  admins: z
    .strictObject({ slack: z.array(id).default([]), teams: z.array(id).default([]) })
    .default({ slack: [], teams: [] }),
  /** The only `environment` values a request may name (exact match). */
  environments: z.array(name).min(1).default(['production']),
  reviewer_groups: z.record(name, reviewerGroup).default({}),
  agents: z.record(name, agent).default({}),
  identity: identity.optional(),
  /** Web console roles: auditors read everything of the tenant; admins also run admin commands. */
  console: consoleRoles,
});

const approval = z
  .strictObject({
    reviewers: name,
    required: z.number().int().min(1).max(10).default(1),
    timeout: duration,
    on_timeout: z.enum(ON_TIMEOUT).default('deny'),
    escalate_to: name.optional(),
    remind_after: duration.optional(),
    editable: z.array(path(false)).default([]),
  })
  .refine((a) => a.on_timeout !== 'escalate' || a.escalate_to !== undefined, {
    message: 'on_timeout: escalate needs escalate_to',
    path: ['escalate_to'],
  })
  .refine((a) => a.remind_after === undefined || (parseDuration(a.remind_after) ?? 0) < (parseDuration(a.timeout) ?? 0), {
    message: 'remind_after must be shorter than timeout',
    path: ['remind_after'],
  });

/** A date a temporary control is due for review (a real calendar date). */
const reviewBy = z.string().refine(isCalendarDate, { message: 'expected a calendar date YYYY-MM-DD' });

const condition = z.strictObject({
  if: z.string().min(1).max(2000),
  then: z.enum([...MODES, 'deny']),
  review_by: reviewBy.optional(),
});

/**
 * A CEL segment (`if`) or a stable slice (`percent` by `by`): exactly one of
 * the two forms per stage. One object with a check, rather than a union, so a
 * bad percent is reported as itself and not as "matches neither form".
 */
const rolloutStage = z
  .strictObject({
    if: z.string().min(1).max(2000).optional(),
    percent: z
      .number()
      .min(0)
      .max(100)
      // Buckets are 0.01 % wide: a third decimal would name a slice that cannot exist.
      .refine((p) => Math.abs(p * 100 - Math.round(p * 100)) < 1e-9, { message: 'percent takes at most two decimals' })
      .optional(),
    by: z.enum(ROLLOUT_KEYS).optional(),
    mode: z.enum(MODES),
    review_by: reviewBy.optional(),
  })
  .superRefine((stage, ctx) => {
    const slice = stage.percent !== undefined || stage.by !== undefined;
    if (stage.if !== undefined && slice) {
      ctx.addIssue({ code: 'custom', message: 'a rollout stage is either a segment (`if`) or a slice (`percent` and `by`), not both' });
    } else if (stage.if === undefined && !slice) {
      ctx.addIssue({ code: 'custom', message: 'a rollout stage needs `if`, or `percent` and `by`' });
    } else if (slice && stage.percent === undefined) {
      ctx.addIssue({ code: 'custom', path: ['percent'], message: 'a slice needs `percent` with its `by`' });
    } else if (slice && stage.by === undefined) {
      ctx.addIssue({ code: 'custom', path: ['by'], message: `a slice needs \`by\`: one of ${ROLLOUT_KEYS.join(', ')}` });
    }
  });

const tool = z
  .strictObject({
    // Required, but checked with the cross references: a missing owner must not hide the tool's other errors.
    owner: z.string().min(1, 'owner must not be empty').optional(),
    description: z.string().optional(),
    risk: z.enum(RISKS),
    effects: z.array(z.enum(EFFECTS)).default([]),
    mode: z.enum(MODES),
    safest_mode: z.enum(SAFE_MODES).default('observe'),
    approval: approval.optional(),
    when: z.array(condition).default([]),
    rollout: z.array(rolloutStage).default([]),
    review_by: reviewBy.optional(),
    consequence: z
      .string()
      .max(2000)
      .superRefine((text, ctx) => {
        for (const [, ref] of text.matchAll(PLACEHOLDER)) {
          const root = ref!.split('.')[0]!;
          const takesPath = (CONSEQUENCE_OBJECTS as readonly string[]).includes(root);
          // A plain field such as `tool` is a string: a path below it would always render `?`.
          const badPath = ref !== root && (!takesPath || pathProblem(ref!.slice(root.length + 1), { wildcards: false }));
          if (!(CONSEQUENCE_SCOPE as readonly string[]).includes(root) || badPath) {
            ctx.addIssue({ code: 'custom', message: `placeholder {{${ref}}} names nothing: use ${CONSEQUENCE_SCOPE.map((s) => `${s}${(CONSEQUENCE_OBJECTS as readonly string[]).includes(s) ? '.<path>' : ''}`).join(', ')}` });
          }
        }
      })
      .optional(),
    redact: z.array(path(true)).default([]),
    /** JSON Schema that `args` (and reviewer edits) must match; compiled at load. */
    args_schema: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((t) => t.approval !== undefined || (t.mode !== 'approval_required' && !t.when.some((w) => w.then === 'approval_required') && !t.rollout.some((r) => r.mode === 'approval_required')), {
    message: 'a tool that can require approval needs an approval block',
    path: ['approval'],
  })
  .superRefine((t, ctx) => {
    // A stage after a catch-all (a 100 % slice) can never be reached.
    const catchAll = t.rollout.findIndex((r) => r.percent === 100);
    t.rollout.forEach((r, i) => {
      if (catchAll >= 0 && i > catchAll) {
        ctx.addIssue({ code: 'custom', path: ['rollout', i], message: `stage ${i} comes after stage ${catchAll}, a 100 % slice that every request with its key matches: it is never reached` });
      }
      // Autonomy for an irreversible, high-risk tool is temporary by rule: it must say when it is reviewed.
      if (r.mode === 'allow' && t.risk === 'high' && t.effects.includes('irreversible') && r.review_by === undefined) {
        ctx.addIssue({ code: 'custom', path: ['rollout', i, 'review_by'], message: 'a stage that allows a high-risk, irreversible tool needs a review_by date' });
      }
    });
    (t.approval?.editable ?? []).forEach((e, i) => {
      const hidden = t.redact.find((r) => pathsOverlap(r, e));
      if (hidden) ctx.addIssue({ code: 'custom', path: ['approval', 'editable', i], message: `${e} overlaps the redacted path ${hidden}: a redacted value cannot be edited` });
    });
  });

export const policyFileSchema = z
  .strictObject({
    tenants: z.record(name, tenant),
    tools: z.record(name, tool),
  })
  // Cross references run even when other fields failed, so one `policy check`
  // lists every problem; they read the raw value defensively for that reason.
  .superRefine((file: RawPolicy, ctx) => crossReferences(file, ctx), { when: () => true });

function crossReferences(file: RawPolicy, ctx: z.RefinementCtx) {
  const tools = own(file.tools);
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  // Review dates are listed with their owner, and a tool nobody owns is never reviewed.
  for (const [toolName, tl] of Object.entries(tools)) {
    if (tl && typeof tl === 'object' && tl.owner === undefined) {
      issue(['tools', toolName, 'owner'], 'every tool names its owner, the team answerable for its controls (e.g. owner: support-platform)');
    }
  }
  const workspaces = new Map<string, string>();
  const aadTenants = new Map<string, string>();
  for (const [tenantId, t] of Object.entries(own(file.tenants))) {
    const slackTeam = t?.slack?.team_id;
    if (typeof slackTeam === 'string') {
      const other = workspaces.get(slackTeam);
      if (other) issue(['tenants', tenantId, 'slack', 'team_id'], `Slack workspace ${slackTeam} already belongs to tenant ${other}`);
      else workspaces.set(slackTeam, tenantId);
    }
    const aad = t?.teams?.tenant_id;
    if (typeof aad === 'string') {
      const other = aadTenants.get(aad.toLowerCase());
      if (other) issue(['tenants', tenantId, 'teams', 'tenant_id'], `Teams tenant ${aad} already belongs to tenant ${other}`);
      else aadTenants.set(aad.toLowerCase(), tenantId);
    }
    const environments = Array.isArray(t?.environments) ? t.environments : ['production'];
    const groups = own(t?.reviewer_groups);
    // IdP groups are read from the claim the tenant names; without one, a listed group could never match.
    if (typeof t?.identity?.groups_claim !== 'string') {
      const named = (a: unknown) => Array.isArray((a as { groups?: unknown } | undefined)?.groups) && (a as { groups: unknown[] }).groups.length > 0;
      const why = 'IdP groups need identity.groups_claim (the ID token claim that lists them, e.g. groups)';
      for (const role of ['auditors', 'admins'] as const) if (named(t?.console?.[role])) issue(['tenants', tenantId, 'console', role, 'groups'], why);
      for (const [groupName, g] of Object.entries(groups)) if (named(g?.console)) issue(['tenants', tenantId, 'reviewer_groups', groupName, 'console', 'groups'], why);
    }
    for (const [agentName, a] of Object.entries(own(t?.agents))) {
      (Array.isArray(a?.tools) ? a.tools : []).forEach((toolName, i) => {
        if (typeof toolName === 'string' && isSafeName(toolName) && !Object.hasOwn(tools, toolName)) {
          issue(['tenants', tenantId, 'agents', agentName, 'tools', i], `unknown tool ${toolName}`);
        }
      });
      (Array.isArray(a?.environments) ? a.environments : []).forEach((env, i) => {
        if (typeof env === 'string' && !environments.includes(env)) {
          issue(['tenants', tenantId, 'agents', agentName, 'environments', i], `environment ${env} is not one of tenant ${tenantId}'s environments`);
        }
      });
    }
    for (const [toolName, tl] of Object.entries(tools)) {
      const usedHere = Object.values(own(t?.agents)).some((a) => Array.isArray(a?.tools) && a.tools.includes(toolName));
      if (!usedHere || !tl?.approval) continue;
      const required = typeof tl.approval.required === 'number' ? tl.approval.required : 1;
      for (const key of ['reviewers', 'escalate_to'] as const) {
        const groupName = tl.approval[key];
        if (typeof groupName !== 'string') continue;
        const group = Object.hasOwn(groups, groupName) ? groups[groupName] : undefined;
        if (!group) {
          issue(['tools', toolName, 'approval', key], `reviewer group ${groupName} is not declared in tenant ${tenantId}, whose agents use ${toolName}`);
          continue;
        }
        const listed = listedReviewers(group);
        if (listed !== undefined && required > listed) {
          issue(['tools', toolName, 'approval', 'required'], `required ${required} is more than the ${listed} reviewer(s) listed in ${tenantId}'s group ${groupName}: the approval could never be given`);
        }
      }
    }
  }
}

/** How many people a group lists; undefined when a Slack user group makes it open-ended. */
function listedReviewers(group: RawGroup): number | undefined {
  if (group.slack?.usergroup) return undefined;
  if (Array.isArray(group.console?.groups) && group.console.groups.length > 0) return undefined;
  const count = (users: unknown) => (Array.isArray(users) ? new Set(users).size : 0);
  return count(group.slack?.users) + count(group.teams?.users) + count(group.console?.users);
}

/** Own enumerable entries only, whatever the raw value is. */
const own = <T>(v: Record<string, T> | undefined | null): Record<string, T> => (v && typeof v === 'object' ? v : {});

interface RawGroup {
  slack?: { users?: unknown; usergroup?: unknown };
  teams?: { users?: unknown };
  console?: { users?: unknown; groups?: unknown };
}

interface RawPolicy {
  tenants?: Record<
    string,
    | {
        slack?: { team_id?: unknown };
        teams?: { tenant_id?: unknown };
        environments?: unknown[];
        agents?: Record<string, { tools?: unknown; environments?: unknown } | undefined>;
        reviewer_groups?: Record<string, RawGroup>;
        identity?: { groups_claim?: unknown };
        console?: { auditors?: unknown; admins?: unknown };
      }
    | undefined
  >;
  tools?: Record<string, { owner?: unknown; approval?: { reviewers?: unknown; escalate_to?: unknown; required?: unknown } } | undefined>;
}

export type PolicyFile = z.infer<typeof policyFileSchema>;
