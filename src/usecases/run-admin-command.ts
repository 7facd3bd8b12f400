import { ADMIN_USAGE, parseAdminCommand, type AdminCommand } from '../domain/admin-command.js';
import type { AuditEvent } from '../domain/audit-event.js';
import { inAudience } from '../domain/console-access.js';
import { SAFE_MODES } from '../domain/decision.js';
import { message, type Inline, type Line, type Message } from '../domain/message.js';
import type { OverrideEnd } from '../domain/override-coverage.js';
import { policyVersion, withEntry, type OverrideStamp, type Policy, type TenantOverrides, type TenantPolicy } from '../domain/policy-model.js';
import { dueForReview } from '../domain/review-dates.js';
import type { ActionStore } from '../ports/action-store.js';
import type { ApprovalJobs } from '../ports/approval-jobs.js';
import type { AuditLog } from '../ports/audit-log.js';
import type { ChatPlatforms } from '../ports/chat-platform.js';
import type { Clock } from '../ports/clock.js';
import type { EndedActions, OverridesStore, PendingEndSpec } from '../ports/overrides-store.js';
import type { PolicySource } from '../ports/policy-source.js';

/**
 * Who runs a command: a chat admin (tenant from their workspace) or an
 * operator at the CLI (tenant named), known by the name they gave and by the
 * OS user who ran the command, since the name is only a claim.
 */
export type AdminActor =
  | { kind: 'chat'; platform: string; userId: string; teamId: string; email?: string }
  | { kind: 'cli'; operator: string; osUser: string; tenant: string }
  | ConsoleAdmin;

/**
 * A person signed in to the web console, in the tenant they chose there: an
 * admin when the tenant's `console.admins` names their verified email or one
 * of the IdP groups read at sign-in (the tenant's groups claim).
 */
export interface ConsoleAdmin {
  kind: 'console';
  tenant: string;
  /** The verified email; the IdP's issuer#subject stands in without one. */
  userId: string;
  email?: string;
  groups: string[];
}

export interface AdminReply {
  ok: boolean;
  message: Message;
  /** What a listing command (status, pending) found, as data: for surfaces that print JSON rather than the message. */
  data?: Record<string, unknown>;
}

/**
 * Cards re-rendered at once after a command ends many approvals: chat
 * platforms limit updates (Slack: about 50 a minute per workspace), so the
 * newest are updated and the rest re-render on their next click.
 */
export const CARD_UPDATE_BUDGET = 50;
const PENDING_LIST = 20;

const actorFields = (a: AdminActor) =>
  a.kind === 'cli'
    ? { platform: 'cli', operator: a.operator, os_user: a.osUser }
    : a.kind === 'console'
      ? { platform: 'console', user_id: a.userId, team_id: a.tenant, email: a.email ?? null, ...(a.groups.length > 0 ? { groups: a.groups } : {}) }
      : { platform: a.platform, user_id: a.userId, team_id: a.teamId, email: a.email ?? null };
const actorPerson = (a: AdminActor): Inline =>
  a.kind === 'cli' ? `operator ${a.operator}` : a.kind === 'console' ? `${a.userId} (web console)` : { person: { platform: a.platform, id: a.userId } };
const actorText = (a: AdminActor) => (a.kind === 'cli' ? `operator ${a.operator}` : a.kind === 'console' ? `console user ${a.userId}` : `${a.platform} user ${a.userId}`);

/** The tenant the actor acts in, and whether they are one of its admins (an operator at the CLI always is). */
function actorTenant(policy: Policy, platforms: ChatPlatforms, actor: AdminActor): { tenant?: TenantPolicy; isAdmin: boolean } {
  if (actor.kind === 'cli') return { tenant: policy.tenants.get(actor.tenant), isAdmin: true };
  if (actor.kind === 'console') {
    const tenant = policy.tenants.get(actor.tenant);
    return { tenant, isAdmin: tenant !== undefined && inAudience(tenant.console.admins, actor.email, actor.groups) };
  }
  const platform = platforms.get(actor.platform);
  const tenant = platform?.tenantOf(policy, actor.teamId);
  return { tenant, isAdmin: tenant !== undefined && (platform?.isAdmin(tenant, actor.userId) ?? false) };
}

/**
 * Only the tenant's admins; every refusal and every change is
 * audited. A change is a versioned runtime override, applied in one
 * transaction with its effect on pending approvals (one set-based statement),
 * so once the reply is sent nothing it covers can still be approved. Card
 * updates, callbacks and channel notices follow in the background and never
 * hold the command (a queue or chat outage cannot delay an admin's switch).
 */
export function makeRunAdminCommand(deps: {
  policy: PolicySource;
  overrides: OverridesStore;
  actions: ActionStore;
  audit: AuditLog;
  jobs: ApprovalJobs;
  clock: Clock;
  platforms: ChatPlatforms;
  onAudited?: (tenant: string) => void;
  /** Runs follow-up work without holding the reply; failures are the runner's to log. */
  background: (what: string, task: () => Promise<unknown>) => void;
}) {
  return async function runAdminCommand(actor: AdminActor, text: string): Promise<AdminReply> {
    const policy = deps.policy.current();
    const { tenant, isAdmin } = actorTenant(policy, deps.platforms, actor);
    if (!tenant) return fail(actor.kind === 'chat' ? 'This workspace is not connected to any Airlock tenant.' : `Unknown tenant ${actor.tenant}.`);
    const parsed = parseAdminCommand(text);
    if (!isAdmin) {
      await audit(tenant.id, { kind: 'admin_refused', data: { admin: actorFields(actor), command: text.slice(0, 200), refused_because: 'not_an_admin' } });
      return fail(`Only admins of tenant ${tenant.id} can run Airlock admin commands.`);
    }
    if ('error' in parsed) return { ok: false, message: parsed.error };
    return execute(policy, tenant, actor, parsed);
  };

  /** By platform, why this tenant's cards are held there (the app is not installed in its workspace); a platform that cannot tell is left out. */
  async function heldCards(tenant: TenantPolicy): Promise<Map<string, string>> {
    const held = new Map<string, string>();
    for (const p of deps.platforms.all()) {
      const why = await p.uninstalled?.([tenant]).then((m) => m.get(tenant.id)).catch(() => undefined);
      if (why) held.set(p.name, why);
    }
    return held;
  }

    async function audit(tenant: string, e: Omit<AuditEvent, 'tenant' | 'at'>) {
    await deps.audit.append({ tenant, at: deps.clock.now(), ...e });
    deps.onAudited?.(tenant);
  }

  /** The override change, its audit event and the end of the approvals it covers: one transaction. */
  async function change(
    policy: Policy,
    tenant: TenantPolicy,
    actor: AdminActor,
    cmd: AdminCommand,
    reason: string | undefined,
    apply: (o: TenantOverrides) => TenantOverrides,
    end?: (version: string) => Omit<PendingEndSpec, 'policyVersion' | 'at' | 'audit' | 'newest'>,
  ) {
    const at = deps.clock.now();
    const result = await deps.overrides.update(
      tenant.id,
      apply,
      (o) => ({ tenant: tenant.id, kind: 'admin_change', at, data: { admin: actorFields(actor), command: cmd, reason: reason ?? null, policy_version: policyVersion(policy, o) } }),
      end &&
        ((o) => {
          const version = policyVersion(policy, o);
          return { ...end(version), policyVersion: version, at, audit: { admin: actorFields(actor), cause: cmd.kind, reason: reason ?? null }, newest: CARD_UPDATE_BUDGET };
        }),
    );
    deps.onAudited?.(tenant.id);
    followUp(tenant.id, result.ended);
    return result;
  }

  /**
   * After a change that ended approvals, in the background: their cards
   * (within the platform's budget), their audit events (owed by the change),
   * then their callbacks, so an agent told of an outcome finds it in the trail.
   */
  function followUp(tenant: string, ended: EndedActions) {
    if (ended.count === 0) return;
    const cards = ended.newest.map((e) => ({ tenant, actionId: e.id }));
    const callbacks = ended.withCallback.map((e) => ({ tenant, actionId: e.id, status: e.status }));
    deps.background('card updates after an admin command', () => deps.jobs.updateCardsOf(cards, 'admin change'));
    deps.background('audit events and callbacks of the approvals an admin command ended', async () => {
      try {
        for (const paid of await deps.overrides.writeOwedAudit()) deps.onAudited?.(paid.tenant);
      } finally {
        // A failed write does not hold the callbacks back: the reconciler writes the events on its next tick.
        if (callbacks.length > 0) await deps.jobs.deliverCallbacks(callbacks);
      }
    });
  }

  /** A notice in every place of every reviewer group of the tenant, on every platform that shows it. */
  function notice(tenant: TenantPolicy, text: Message) {
    for (const group of tenant.reviewerGroups.values()) {
      for (const platform of deps.platforms.all().filter((p) => p.targets(group))) {
        deps.background(`incident notice to ${group.name} on ${platform.name}`, () => platform.postNotice(tenant.id, group, text));
      }
    }
  }

  async function execute(policy: Policy, tenant: TenantPolicy, actor: AdminActor, cmd: AdminCommand): Promise<AdminReply> {
    const now = () => deps.clock.now();
    const stamp = (reason?: string): OverrideStamp => ({ ...(reason ? { reason } : {}), by: actorText(actor), at: now().toISOString() });
    const version = (o: TenantOverrides): Inline => ({ code: policyVersion(policy, o) });
    const denied = (rule: string, detail: string): OverrideEnd => ({ status: 'denied', decision: 'deny', mode: 'off', rule, detail });
    const endedText = (n: number): string =>
      n === 0 ? '' : ` ${n} pending approval(s) ended${n > CARD_UPDATE_BUDGET ? `; the newest ${CARD_UPDATE_BUDGET} cards are updated now, the others when next clicked` : ''}.`;
    switch (cmd.kind) {
      case 'help':
        return ok(['Airlock admin commands:'], ...ADMIN_USAGE);
      case 'ids':
        return fail('`ids` is answered by the chat app itself: type it there, in the channel or conversation whose ids you need.');
      case 'deny-tool': {
        if (!policy.tools.has(cmd.tool)) return fail(`Unknown tool ${cmd.tool}.`);
        const detail = `tool ${cmd.tool} denied by ${actorText(actor)}${cmd.reason ? `: ${cmd.reason}` : ''}`;
        const r = await change(policy, tenant, actor, cmd, cmd.reason, (c) => ({ ...c, deniedTools: withEntry(c.deniedTools, cmd.tool, stamp(cmd.reason)) }), () => ({
          match: { tool: cmd.tool },
          ends: new Map(),
          otherwise: denied('overrides.deny_tool', detail),
        }));
        return ok(['Denied ', { code: cmd.tool }, ` for tenant ${tenant.id} (policy `, version(r.overrides), ').', endedText(r.ended.count)]);
      }
      case 'allow-tool': {
        if (!policy.tools.has(cmd.tool)) return fail(`Unknown tool ${cmd.tool}.`);
        const r = await change(policy, tenant, actor, cmd, undefined, (c) => ({ ...c, deniedTools: withEntry(c.deniedTools, cmd.tool, undefined) }));
        return ok([{ code: cmd.tool }, ' is no longer denied (policy ', version(r.overrides), ').']);
      }
      case 'kill-agent': {
        if (!tenant.agents.has(cmd.agent)) return fail(`Unknown agent ${cmd.agent} in tenant ${tenant.id}.`);
        const detail = `agent ${cmd.agent} killed by ${actorText(actor)}${cmd.reason ? `: ${cmd.reason}` : ''}`;
        const r = await change(policy, tenant, actor, cmd, cmd.reason, (c) => ({ ...c, killedAgents: withEntry(c.killedAgents, cmd.agent, stamp(cmd.reason)) }), () => ({
          match: { agent: cmd.agent },
          ends: new Map(),
          otherwise: denied('overrides.kill_agent', detail),
        }));
        return ok(['Killed agent ', { code: cmd.agent }, ' (policy ', version(r.overrides), ').', endedText(r.ended.count)]);
      }
      case 'revive-agent': {
        if (!tenant.agents.has(cmd.agent)) return fail(`Unknown agent ${cmd.agent} in tenant ${tenant.id}.`);
        const r = await change(policy, tenant, actor, cmd, undefined, (c) => ({ ...c, killedAgents: withEntry(c.killedAgents, cmd.agent, undefined) }));
        return ok(['Agent ', { code: cmd.agent }, ' may act again (policy ', version(r.overrides), ').']);
      }
      case 'mode': {
        const tool = policy.tools.get(cmd.tool);
        if (!tool) return fail(`Unknown tool ${cmd.tool}.`);
        if (cmd.mode === 'approval_required' && !tool.approval) {
          return fail(`${cmd.tool} has no approval rule in the policy, so it cannot require approval.`);
        }
        if (cmd.mode === 'policy') {
          const r = await change(policy, tenant, actor, cmd, undefined, (c) => ({ ...c, toolModes: withEntry(c.toolModes, cmd.tool, undefined) }));
          return ok([{ code: cmd.tool }, ' follows the policy file again: mode ', { code: tool.mode }, ' and its rules (policy ', version(r.overrides), ').']);
        }
        const mode = cmd.mode;
        const detail = `an admin (${actorText(actor)}) set ${cmd.tool} to mode ${mode}`;
        // Off denies what is waiting; a constrained mode lets it run only constrained; allow and approval_required leave it open.
        const endsPending = mode === 'off' || (SAFE_MODES as readonly string[]).includes(mode);
        const r = await change(
          policy,
          tenant,
          actor,
          cmd,
          undefined,
          (c) => ({ ...c, toolModes: withEntry(c.toolModes, cmd.tool, mode) }),
          endsPending
            ? () => ({
                match: { tool: cmd.tool },
                ends: new Map(),
                otherwise: mode === 'off' ? denied('overrides.mode', detail) : { status: 'decided', decision: 'constrain', mode, rule: 'overrides.mode', detail },
              })
            : undefined,
        );
        return ok([{ code: cmd.tool }, ' now runs in mode ', { code: mode }, ' (policy ', version(r.overrides), ').', endedText(r.ended.count)]);
      }
      case 'incident-on': {
        const detail = `incident mode on (${actorText(actor)}${cmd.reason ? `: ${cmd.reason}` : ''})`;
        const ends = new Map<string, OverrideEnd>();
        for (const t of policy.tools.values()) {
          ends.set(
            t.name,
            t.safestMode === 'off'
              ? denied('overrides.incident', `${detail}; ${t.name}'s safest mode is off`)
              : { status: 'decided', decision: 'fallback', mode: t.safestMode, rule: 'overrides.incident', detail: `${detail}; fell back to ${t.safestMode}` },
          );
        }
        const r = await change(policy, tenant, actor, cmd, cmd.reason, (c) => ({ ...c, incident: { on: true, reason: cmd.reason, since: now().toISOString() } }), () => ({
          match: { nonLowRisk: true },
          ends,
          otherwise: denied('overrides.incident', `${detail}; the tool is no longer in the policy`),
        }));
        notice(
          tenant,
          message(
            [{ strong: 'Incident mode is ON' }, ` for ${tenant.id}, set by `, actorPerson(actor), ...(cmd.reason ? [': ', cmd.reason] : []), '.'],
            [`Non-low-risk actions fall back to their safest mode; ${r.ended.count} pending approval(s) ended.`],
          ),
        );
        return ok([`Incident mode is on for ${tenant.id} (policy `, version(r.overrides), ').', endedText(r.ended.count)]);
      }
      case 'incident-off': {
        const r = await change(policy, tenant, actor, cmd, undefined, (c) => ({ ...c, incident: { on: false } }));
        notice(tenant, message([{ strong: 'Incident mode is OFF' }, ` for ${tenant.id} (`, actorPerson(actor), '). Approvals resume.']));
        return ok([`Incident mode is off for ${tenant.id} (policy `, version(r.overrides), ').']);
      }
      case 'status': {
        const o = await deps.overrides.get(tenant.id);
        const pending = await deps.actions.pendingSummary(tenant.id, 0);
        const stamps = (m: ReadonlyMap<string, OverrideStamp>): Inline[] =>
          m.size === 0 ? ['none'] : [...m].flatMap(([k, v], i): Inline[] => [...(i > 0 ? [', '] : []), { code: k }, ...(v.reason ? [` (${v.reason})`] : [])]);
        const modes: Inline[] = o.toolModes.size === 0 ? ['none'] : [...o.toolModes].flatMap(([k, v], i): Inline[] => [...(i > 0 ? [', '] : []), { code: `${k}=${v}` }]);
        const stampList = (m: ReadonlyMap<string, OverrideStamp>, key: string) => [...m].map(([name, v]) => ({ [key]: name, reason: v.reason ?? null, by: v.by ?? null, at: v.at ?? null }));
        // Tools are shared by every tenant of the file: count only those this tenant's agents may call.
        const tenantTools = new Set([...tenant.agents.values()].flatMap((a) => [...a.tools]));
        const overdue = dueForReview({ tools: new Map([...policy.tools].filter(([name]) => tenantTools.has(name))) }, now()).filter((r) => r.status === 'overdue').length;
        const held = await heldCards(tenant);
        return withData(
          {
            tenant: tenant.id,
            policy_version: policyVersion(policy, o),
            incident: { on: o.incident.on, since: o.incident.since ?? null, reason: o.incident.reason ?? null },
            denied_tools: stampList(o.deniedTools, 'tool'),
            killed_agents: stampList(o.killedAgents, 'agent'),
            runtime_modes: Object.fromEntries(o.toolModes),
            pending: { count: pending.count, oldest_at: pending.oldest?.toISOString() ?? null },
            review_overdue: overdue,
            held_cards: Object.fromEntries(held),
          },
          [{ strong: `Airlock status for ${tenant.id}` }, ' (policy ', version(o), ')'],
          ['Incident mode: ', o.incident.on ? `ON since ${o.incident.since ?? '?'}${o.incident.reason ? ` (${o.incident.reason})` : ''}` : 'off'],
          ['Denied tools: ', ...stamps(o.deniedTools)],
          ['Killed agents: ', ...stamps(o.killedAgents)],
          ['Runtime modes: ', ...modes],
          [`Pending approvals: ${pending.count}; oldest: ${pending.oldest ? formatAge(now().getTime() - pending.oldest.getTime()) : 'none'}`],
          [`Policy review: ${overdue === 0 ? 'no control' : overdue === 1 ? '1 control' : `${overdue} controls`} of this tenant’s tools ${overdue === 1 ? 'is' : 'are'} past ${overdue === 1 ? 'its' : 'their'} review date`, ...(overdue > 0 ? [' (', { code: 'airlock policy review' }, ' lists them)'] as Inline[] : [])],
          ...[...held].map(([platform, why]): Line => [{ strong: `Cards held on ${platform}` }, `: ${why}. New approvals wait for their deadline there.`]),
        );
      }
      case 'pending': {
        const pending = await deps.actions.pendingSummary(tenant.id, PENDING_LIST);
        const data = {
          tenant: tenant.id,
          count: pending.count,
          items: pending.items.map((p) => ({ id: p.id, tool: p.tool, agent: p.agent, reviewer_group: p.reviewerGroup ?? null, created_at: p.createdAt.toISOString(), expires_at: p.expiresAt?.toISOString() ?? null })),
        };
        if (pending.count === 0) return withData(data, ['No pending approvals.']);
        const lines: Line[] = pending.items.map((p) => [
          '• ', { code: p.id }, ` ${p.tool} by ${p.agent} → ${p.reviewerGroup ?? '?'}, waiting ${formatAge(now().getTime() - p.createdAt.getTime())}`,
        ]);
        const more: Line[] = pending.count > pending.items.length ? [[`…and ${pending.count - pending.items.length} more`]] : [];
        return withData(data, [{ strong: `${pending.count} pending approval(s)` }, ', oldest first'], ...lines, ...more);
      }
    }
  }
}

const ok = (...lines: Line[]): AdminReply => ({ ok: true, message: message(...lines) });
const withData = (data: Record<string, unknown>, ...lines: Line[]): AdminReply => ({ ok: true, message: message(...lines), data });
const fail = (text: string): AdminReply => ({ ok: false, message: message([text]) });

function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  return `${Math.round(s / 3600)}h`;
}
