import { sameIdentity, type ReviewerIdentity } from '../../src/domain/action.js';
import type { Policy, ReviewerGroup, TenantPolicy } from '../../src/domain/policy-model.js';
import type { ChatDirectory } from '../../src/ports/chat-platform.js';

/** Who is who in Teams: a tenant's AAD tenant, a group's listed AAD object ids, its admins. Needs no connection. */
export class TeamsDirectory implements ChatDirectory {
  readonly name = 'teams';

  targets(group: ReviewerGroup): boolean {
    return group.chat.has(this.name);
  }

  tenantOf(policy: Policy, aadTenantId: string): TenantPolicy | undefined {
    for (const t of policy.tenants.values()) if (sameIdentity(t.workspaces.get(this.name)?.id, aadTenantId)) return t;
    return undefined;
  }

  workspaceOf(tenant: TenantPolicy): string | undefined {
    return tenant.workspaces.get(this.name)?.id;
  }

  async isMember(group: ReviewerGroup, reviewer: ReviewerIdentity): Promise<boolean> {
    return group.chat.get(this.name)?.users.some((u) => sameIdentity(u, reviewer.userId)) ?? false;
  }

  isAdmin(tenant: TenantPolicy, userId: string): boolean {
    return (tenant.admins.get(this.name) ?? []).some((u) => sameIdentity(u, userId));
  }

  /** The connector tells a member's UPN only within a conversation the bot is in, which a click brings and an id alone does not. */
  async emailOf(): Promise<{ unreadable: string }> {
    return { unreadable: 'Teams tells a member’s email to the bot only when they click' };
  }
}
