import { WebClient } from '@slack/web-api';
import { sameIdentity, type ReviewerIdentity } from '../../src/domain/action.js';
import type { Policy, ReviewerGroup, TenantPolicy } from '../../src/domain/policy-model.js';
import type { ChatDirectory } from '../../src/ports/chat-platform.js';

const CACHE_MS = 60_000;

/**
 * Who is who in Slack: a tenant's workspace (`slack.team_id`), a group's
 * listed users or user group, its admins. Without a WebClient (the CLI with
 * no SLACK_BOT_TOKEN) a user group cannot be read, so only listed users count.
 */
export class SlackDirectory implements ChatDirectory {
  readonly name = 'slack';
  private readonly usergroups = new Map<string, { members: string[]; until: number }>();

  constructor(private readonly client?: WebClient) {}

  /** A directory of its own (the CLI): with a bot token it can read user groups, without one only listed users count. */
  static create(token: string | undefined, apiUrl: string): SlackDirectory {
    return new SlackDirectory(token ? new WebClient(token, { slackApiUrl: apiUrl }) : undefined);
  }

  targets(group: ReviewerGroup): boolean {
    return group.slack !== undefined;
  }

  tenantOf(policy: Policy, teamId: string): TenantPolicy | undefined {
    for (const t of policy.tenants.values()) if (t.slackTeamId === teamId) return t;
    return undefined;
  }

  workspaceOf(tenant: TenantPolicy): string | undefined {
    return tenant.slackTeamId;
  }

  async isMember(group: ReviewerGroup, reviewer: ReviewerIdentity): Promise<boolean> {
    if (!group.slack) return false;
    if (group.slack.users.some((u) => sameIdentity(u, reviewer.userId))) return true;
    if (!group.slack.usergroup || !this.client) return false;
    return (await this.usergroupMembers(group.slack.usergroup)).includes(reviewer.userId);
  }

  isAdmin(tenant: TenantPolicy, userId: string): boolean {
    return tenant.admins.slack.some((u) => sameIdentity(u, userId));
  }

  private async usergroupMembers(usergroupId: string): Promise<string[]> {
    const hit = this.usergroups.get(usergroupId);
    if (hit && hit.until > Date.now()) return hit.members;
    const res = await this.client!.usergroups.users.list({ usergroup: usergroupId });
    const members = res.users ?? [];
    this.usergroups.set(usergroupId, { members, until: Date.now() + CACHE_MS });
    return members;
  }
}
