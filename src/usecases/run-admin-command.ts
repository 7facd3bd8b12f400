import type { Action } from '../domain/action.js';
import { ADMIN_USAGE, parseAdminCommand, type AdminCommand } from '../domain/admin-command.js';
import { actionAuditFields, type AuditEvent } from '../domain/audit-event.js';
import { policyVersion, type Policy, type TenantOverrides, type TenantPolicy } from '../domain/policy-model.js';
import type { ActionStore, EndChange } from '../ports/action-store.js';
import type { ApprovalJobs } from '../ports/approval-jobs.js';
import type { ApprovalNotifier } from '../ports/approval-notifier.js';
import type { AuditLog } from '../ports/audit-log.js';
import type { Clock } from '../ports/clock.js';
import type { OverridesStore } from '../ports/overrides-store.js';
import type { PolicySource } from '../ports/policy-source.js';
import { afterDecision } from './approval-effects.js';
import { tenantForWorkspace } from './record-review.js';

/** Who runs a command: a chat admin (tenant from their workspace) or an operator at the CLI (tenant named). */
export type AdminActor =
  | { platform: 'slack' | 'teams'; userId: string; teamId: string; email?: string }
  | { platform: 'cli'; operator: string; tenant: string };

export interface AdminReply {
  ok: boolean;
  text: string;
}

const actorFields = (a: AdminActor) =>
  a.platform === 'cli' ? { platform: 'cli', operator: a.operator } : { platform: a.platform, user_id: a.userId, team_id: a.teamId, email: a.email ?? null };
const actorName = (a: AdminActor) => (a.platform === 'slack' ? `<@${a.userId}>` : a.platform === 'cli' ? `operator ${a.operator}` : a.userId);

/**
 * SPEC §6. Only the tenant's admins; every refusal and every change is
 * audited. A change is a versioned runtime override; its effect on pending
 * approvals is applied right after, each action by a conditional update so a
 * reviewer clicking at the same moment cannot also decide it.
 */
export function makeRunAdminCommand(deps: {
  policy: PolicySource;
  overrides: OverridesStore;
  actions: ActionStore;
  audit: AuditLog;
  jobs: ApprovalJobs;
  clock: Clock;
  notifier?: ApprovalNotifier;
  onAudited?: (tenant: string) => void;
  log?: (msg: string, err: unknown) => void;
}) {
  return async function runAdminCommand(actor: AdminActor, text: string): Promise<AdminReply> {
    const policy = deps.policy.current();
    const tenant = actor.platform === 'cli' ? policy.tenants[actor.tenant] : tenantForWorkspace(policy, actor.platform, actor.teamId);
    if (!tenant) return { ok: false, text: actor.platform === 'cli' ? `Unknown tenant ${actor.tenant}.` : 'This workspace is not connected to any Airlock tenant.' };
    const parsed = parseAdminCommand(text);
    const isAdmin =
      actor.platform === 'cli' || (actor.platform === 'slack' ? tenant.admins.slack.includes(actor.userId) : tenant.admins.teams.includes(actor.userId));
    if (!isAdmin) {
      await audit(tenant.id, { kind: 'admin_refused', data: { admin: actorFields(actor), command: text.slice(0, 200), refused_because: 'not_an_admin' } });
      return { ok: false, text: `Only admins of tenant ${tenant.id} can run Airlock admin commands.` };
    }
    if ('error' in parsed) return { ok: false, text: parsed.error };
    return execute(policy, tenant, actor, parsed);
  };

  async function audit(tenant: string, e: Omit<AuditEvent, 'tenant' | 'at'>) {
    await deps.audit.append({ tenant, at: deps.clock.now(), ...e });
    deps.onAudited?.(tenant);
  }

  async function change(policy: Policy, tenant: TenantPolicy, actor: AdminActor, cmd: AdminCommand, reason: string | undefined, apply: (o: TenantOverrides) => TenantOverrides) {
    const at = deps.clock.now();
    const next = await deps.overrides.update(tenant.id, apply, (o) => ({
      tenant: tenant.id,
      kind: 'admin_change',
      at,
      data: { admin: actorFields(actor), command: cmd, reason: reason ?? null, policy_version: policyVersion(policy, o) },
    }));
    deps.onAudited?.(tenant.id);
    return next;
  }

  /** Ends the matching pending actions; returns how many this call ended. */
  async function endPending(tenant: string, filter: Parameters<ActionStore['pendingIds']>[1], end: (a: Action) => EndChange | undefined, actor: AdminActor, why: string) {
    let ended = 0;
    for (const id of await deps.actions.pendingIds(tenant, filter)) {
      const current = await deps.actions.get(tenant, id);
      const changeTo = current && end(current);
      if (!changeTo) continue;
      const done = await deps.actions.endPending(tenant, id, 'any', changeTo, (a) => ({
        tenant,
        kind: 'admin_change',
        actionId: a.id,
        at: changeTo.at,
        data: { ...actionAuditFields(a), admin: actorFields(actor), cause: why, final_decision: a.decision },
      }));
      if (done) {
        ended += 1;
        await afterDecision(deps.jobs, done, why);
      }
    }
    if (ended) deps.onAudited?.(tenant);
    return ended;
  }

  async function notice(tenant: TenantPolicy, text: string) {
    if (!deps.notifier) return;
    for (const group of Object.values(tenant.reviewerGroups)) {
      if (!group.slack) continue;
      await deps.notifier.postNotice(group, text).catch((err) => deps.log?.(`could not post the incident notice to ${group.name}`, err));
    }
  }

  async function execute(policy: Policy, tenant: TenantPolicy, actor: AdminActor, cmd: AdminCommand): Promise<AdminReply> {
    const now = () => deps.clock.now();
    const by = actorName(actor);
    const stamp = (reason?: string) => ({ reason, by: by, at: now().toISOString() });
    switch (cmd.kind) {
      case 'help':
        return { ok: true, text: `Airlock admin commands:\n${ADMIN_USAGE}` };
      case 'deny-tool': {
        if (!policy.tools[cmd.tool]) return { ok: false, text: `Unknown tool \`${cmd.tool}\`.` };
        const o = await change(policy, tenant, actor, cmd, cmd.reason, (c) => ({ ...c, deniedTools: { ...c.deniedTools, [cmd.tool]: stamp(cmd.reason) } }));
        const n = await endPending(tenant.id, { tool: cmd.tool }, () => ({ status: 'denied', decision: 'deny', mode: 'off', detail: `tool ${cmd.tool} denied by ${by}${cmd.reason ? `: ${cmd.reason}` : ''}`, at: now() }), actor, 'deny-tool');
        return { ok: true, text: `Denied \`${cmd.tool}\` for tenant ${tenant.id} (policy ${policyVersion(policy, o)}). ${n} pending approval(s) denied.` };
      }
      case 'allow-tool': {
        if (!policy.tools[cmd.tool]) return { ok: false, text: `Unknown tool \`${cmd.tool}\`.` };
        const o = await change(policy, tenant, actor, cmd, undefined, (c) => {
          const { [cmd.tool]: _, ...rest } = c.deniedTools;
          return { ...c, deniedTools: rest };
        });
        return { ok: true, text: `\`${cmd.tool}\` is no longer denied (policy ${policyVersion(policy, o)}).` };
      }
      case 'kill-agent': {
        if (!tenant.agents[cmd.agent]) return { ok: false, text: `Unknown agent \`${cmd.agent}\` in tenant ${tenant.id}.` };
        const o = await change(policy, tenant, actor, cmd, cmd.reason, (c) => ({ ...c, killedAgents: { ...c.killedAgents, [cmd.agent]: stamp(cmd.reason) } }));
        const n = await endPending(tenant.id, { agent: cmd.agent }, () => ({ status: 'denied', decision: 'deny', mode: 'off', detail: `agent ${cmd.agent} killed by ${by}${cmd.reason ? `: ${cmd.reason}` : ''}`, at: now() }), actor, 'kill-agent');
        return { ok: true, text: `Killed agent \`${cmd.agent}\` (policy ${policyVersion(policy, o)}). ${n} pending approval(s) denied.` };
      }
      case 'revive-agent': {
        if (!tenant.agents[cmd.agent]) return { ok: false, text: `Unknown agent \`${cmd.agent}\` in tenant ${tenant.id}.` };
        const o = await change(policy, tenant, actor, cmd, undefined, (c) => {
          const { [cmd.agent]: _, ...rest } = c.killedAgents;
          return { ...c, killedAgents: rest };
        });
        return { ok: true, text: `Agent \`${cmd.agent}\` may act again (policy ${policyVersion(policy, o)}).` };
      }
      case 'mode': {
        if (!policy.tools[cmd.tool]) return { ok: false, text: `Unknown tool \`${cmd.tool}\`.` };
        if (cmd.mode === 'approval_required' && !policy.tools[cmd.tool]!.approval) {
          return { ok: false, text: `\`${cmd.tool}\` has no approval rule in the policy, so it cannot require approval.` };
        }
        const o = await change(policy, tenant, actor, cmd, undefined, (c) => ({ ...c, toolModes: { ...c.toolModes, [cmd.tool]: cmd.mode } }));
        return { ok: true, text: `\`${cmd.tool}\` now runs in mode \`${cmd.mode}\` (policy ${policyVersion(policy, o)}).` };
      }
      case 'incident-on': {
        const o = await change(policy, tenant, actor, cmd, cmd.reason, (c) => ({ ...c, incident: { on: true, reason: cmd.reason, since: now().toISOString() } }));
        const n = await endPending(
          tenant.id,
          { nonLowRisk: true },
          (a) => {
            const safest = policy.tools[a.tool]?.safestMode ?? 'off';
            const detail = `incident mode on (${by}${cmd.reason ? `: ${cmd.reason}` : ''})`;
            return safest === 'off'
              ? { status: 'denied', decision: 'deny', mode: 'off', detail, at: now() }
              : { status: 'decided', decision: 'fallback', mode: safest, detail: `${detail}; fell back to ${safest}`, at: now() };
          },
          actor,
          'incident-on',
        );
        await notice(tenant, `:rotating_light: *Incident mode is ON* for ${tenant.id}, set by ${by}${cmd.reason ? `: ${cmd.reason}` : ''}. Non-low-risk actions fall back to their safest mode; ${n} pending approval(s) fell back.`);
        return { ok: true, text: `Incident mode is on for ${tenant.id} (policy ${policyVersion(policy, o)}). ${n} pending approval(s) fell back.` };
      }
      case 'incident-off': {
        const o = await change(policy, tenant, actor, cmd, undefined, (c) => ({ ...c, incident: { on: false } }));
        await notice(tenant, `:white_check_mark: *Incident mode is OFF* for ${tenant.id} (${by}). Approvals resume.`);
        return { ok: true, text: `Incident mode is off for ${tenant.id} (policy ${policyVersion(policy, o)}).` };
      }
      case 'status': {
        const o = await deps.overrides.get(tenant.id);
        const pending = await deps.actions.pendingSummary(tenant.id);
        const age = pending.oldest ? formatAge(now().getTime() - pending.oldest.getTime()) : 'none';
        const list = (m: Record<string, { reason?: string }>) => Object.entries(m).map(([k, v]) => `\`${k}\`${v.reason ? ` (${v.reason})` : ''}`).join(', ') || 'none';
        return {
          ok: true,
          text: [
            `*Airlock status for ${tenant.id}* (policy ${policyVersion(policy, o)})`,
            `Incident mode: ${o.incident.on ? `ON since ${o.incident.since ?? '?'}${o.incident.reason ? ` (${o.incident.reason})` : ''}` : 'off'}`,
            `Denied tools: ${list(o.deniedTools)}`,
            `Killed agents: ${list(o.killedAgents)}`,
            `Runtime modes: ${Object.entries(o.toolModes).map(([k, v]) => `\`${k}\`=${v}`).join(', ') || 'none'}`,
            `Pending approvals: ${pending.count}; oldest: ${age}`,
          ].join('\n'),
        };
      }
      case 'pending': {
        const pending = await deps.actions.pendingSummary(tenant.id);
        if (pending.count === 0) return { ok: true, text: 'No pending approvals.' };
        const lines = pending.items.slice(0, 20).map((p) => `• \`${p.id}\` ${p.tool} by ${p.agent} → ${p.reviewerGroup ?? '?'}, waiting ${formatAge(now().getTime() - p.createdAt.getTime())}`);
        return { ok: true, text: `*${pending.count} pending approval(s)*\n${lines.join('\n')}${pending.count > 20 ? `\n…and ${pending.count - 20} more` : ''}` };
      }
    }
  }
}

function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  return `${Math.round(s / 3600)}h`;
}
