import { WebClient } from '@slack/web-api';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { sameIdentity, type ReviewerIdentity } from '../../src/domain/action.js';
import type { Policy, ReviewerGroup, TenantPolicy } from '../../src/domain/policy-model.js';
import type { ChatDirectory } from '../../src/ports/chat-platform.js';
import { makeMemberEmails } from './member-emails.js';
import { slackLogger } from './slack-logger.js';

const CACHE_MS = 60_000;
const CACHE_MAX = 1_000;

/**
 * Who is who in Slack: a tenant's workspace (`slack.team_id`), a group's
 * listed users or user group, its admins. Without a WebClient (the CLI with
 * no SLACK_BOT_TOKEN) a user group cannot be read, so only listed users count.
 */
export class SlackDirectory implements ChatDirectory {
  readonly name = 'slack';
  private readonly usergroups = new LRUCache<string, string[]>({ max: CACHE_MAX, ttl: CACHE_MS });
  private readonly userEmails?: (userId: string) => Promise<string | undefined>;

  constructor(private readonly client?: WebClient) {
    this.userEmails = client ? makeMemberEmails(client) : undefined;
  }

  /**
   * A directory of its own (the CLI): with a bot token it can read user
   * groups, without one only listed users count. What its client logs goes
   * to `log`.
   */
  static create(token: string | undefined, apiUrl: string, log?: Logger): SlackDirectory {
    return new SlackDirectory(token ? new WebClient(token, { slackApiUrl: apiUrl, ...(log ? { logger: slackLogger(log, 'web-api:directory') } : {}) }) : undefined);
  }

  targets(group: ReviewerGroup): boolean {
    return group.chat.has(this.name);
  }

  tenantOf(policy: Policy, teamId: string): TenantPolicy | undefined {
    for (const t of policy.tenants.values()) if (t.workspaces.get(this.name)?.id === teamId) return t;
    return undefined;
  }

  workspaceOf(tenant: TenantPolicy): string | undefined {
    return tenant.workspaces.get(this.name)?.id;
  }

  async isMember(group: ReviewerGroup, reviewer: ReviewerIdentity): Promise<boolean> {
    const target = group.chat.get(this.name);
    if (!target) return false;
    if (target.users.some((u) => sameIdentity(u, reviewer.userId))) return true;
    if (!target.usergroup || !this.client) return false;
    return (await this.usergroupMembers(target.usergroup)).some((m) => sameIdentity(m, reviewer.userId));
  }

  isAdmin(tenant: TenantPolicy, userId: string): boolean {
    return (tenant.admins.get(this.name) ?? []).some((u) => sameIdentity(u, userId));
  }

  async emailOf(reviewer: ReviewerIdentity): Promise<{ email: string } | { unreadable: string }> {
    if (!this.userEmails) return { unreadable: 'Set SLACK_BOT_TOKEN (a bot token with the users:read.email scope) so Airlock can read it from Slack' };
    // Slack user ids are upper case; an operator may type one in any case, as membership allows.
    const email = await this.userEmails(reviewer.userId.trim().toUpperCase());
    return email ? { email } : { unreadable: 'Slack gave none: the bot token needs the users:read.email scope, and the user an email address' };
  }

  private async usergroupMembers(usergroupId: string): Promise<string[]> {
    const hit = this.usergroups.get(usergroupId);
    if (hit) return hit;
    const res = await this.client!.usergroups.users.list({ usergroup: usergroupId });
    const members = res.users ?? [];
    this.usergroups.set(usergroupId, members);
    return members;
  }
}
