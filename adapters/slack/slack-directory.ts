import { WebClient } from '@slack/web-api';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { sameIdentity, type ReviewerIdentity } from '../../src/domain/action.js';
import type { Policy, ReviewerGroup, TenantPolicy } from '../../src/domain/policy-model.js';
import type { ChatDirectory } from '../../src/ports/chat-platform.js';
import { NotInstalled } from '../../src/domain/not-installed.js';
import { makeMemberEmails } from './member-emails.js';
import { slackLogger } from './slack-logger.js';

/** The client that reads a workspace's directory (throws NotInstalled when no installation serves it). */
export type DirectoryClient = (teamId: string) => Promise<WebClient>;

const CACHE_MS = 60_000;
const CACHE_MAX = 1_000;

/**
 * Who is who in Slack: a tenant's workspace (`slack.team_id`), a group's
 * listed users or user group, its admins. User groups and emails are read
 * in the reviewer's workspace, with the client that serves it. Without a
 * client (the CLI with no SLACK_BOT_TOKEN) a user group cannot be read, so
 * only listed users count.
 */
export class SlackDirectory implements ChatDirectory {
  readonly name = 'slack';
  private readonly usergroups = new LRUCache<string, string[]>({ max: CACHE_MAX, ttl: CACHE_MS });
  private readonly userEmails = makeMemberEmails();

  /** `perWorkspace`: tokens are per workspace, and an organisation-wide one must be told which workspace a user group is in. */
  constructor(
    private readonly clientFor?: DirectoryClient,
    private readonly perWorkspace = false,
  ) {}

  /**
   * A directory of its own (the CLI): with a bot token it can read user
   * groups, without one only listed users count. What its client logs goes
   * to `log`.
   */
  static create(token: string | undefined, apiUrl: string, log?: Logger): SlackDirectory {
    if (!token) return new SlackDirectory();
    const client = new WebClient(token, { slackApiUrl: apiUrl, ...(log ? { logger: slackLogger(log, 'web-api:directory') } : {}) });
    return new SlackDirectory(async () => client);
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
    if (!target.usergroup || !this.clientFor) return false;
    return (await this.usergroupMembers(target.usergroup, reviewer.teamId)).some((m) => sameIdentity(m, reviewer.userId));
  }

  isAdmin(tenant: TenantPolicy, userId: string): boolean {
    return (tenant.admins.get(this.name) ?? []).some((u) => sameIdentity(u, userId));
  }

  async emailOf(reviewer: ReviewerIdentity): Promise<{ email: string } | { unreadable: string }> {
    if (!this.clientFor) return { unreadable: 'Set SLACK_BOT_TOKEN (a bot token with the users:read.email scope) so Airlock can read it from Slack' };
    let client: WebClient;
    try {
      client = await this.clientFor(reviewer.teamId);
    } catch (err) {
      if (err instanceof NotInstalled) return { unreadable: err.message };
      throw err;
    }
    // Slack user ids are upper case; an operator may type one in any case, as membership allows.
    const email = await this.userEmails(client, reviewer.userId.trim().toUpperCase());
    return email ? { email } : { unreadable: 'Slack gave none: the bot token needs the users:read.email scope, and the user an email address' };
  }

  private async usergroupMembers(usergroupId: string, teamId: string): Promise<string[]> {
    const hit = this.usergroups.get(usergroupId);
    if (hit) return hit;
    const client = await this.clientFor!(teamId);
    const res = await client.usergroups.users.list({ usergroup: usergroupId, ...(this.perWorkspace ? { team_id: teamId } : {}) });
    const members = res.users ?? [];
    this.usergroups.set(usergroupId, members);
    return members;
  }
}
