import { randomUUID } from 'node:crypto';
import type { WebClient } from '@slack/web-api';
import type { ReviewerIdentity } from '../../src/domain/action.js';
import { AirlockError } from '../../src/domain/errors.js';
import type { Message } from '../../src/domain/message.js';
import { NotInstalled } from '../../src/domain/not-installed.js';
import type { Policy, ReviewerGroup, TenantPolicy } from '../../src/domain/policy-model.js';
import { RateLimited } from '../../src/domain/rate-limited.js';
import type { CardContent, CardRef, ChatPlatform } from '../../src/ports/chat-platform.js';
import { unpaced, type PaceRule, type SendPacer } from '../../src/ports/send-pacer.js';
import { SlackDirectory } from './slack-directory.js';
import { renderApprovalCard } from './render-approval-card.js';
import { renderLine, renderMessage } from './render-message.js';
import type { SlackClients } from './slack-clients.js';
import { startupProblem, toDeliveryError } from './slack-errors.js';
import { SLACK_PACE, channelKey, methodKey } from './slack-limits.js';

/** Slack's message metadata type Airlock stamps on every card, to find it again after a crash. */
export const CARD_EVENT_TYPE = 'airlock_approval_card';

export interface SlackCardRef extends CardRef {
  platform: 'slack';
  channel: string;
  ts: string;
}

export interface SlackPlatformOptions {
  auditUrl?: (actionId: string) => string;
  onConnected?: () => Promise<void>;
  /** Keeps every process within Slack's limits (slack-limits.ts); unpaced when absent. */
  pacer?: SendPacer;
  /** The workspace (team id) a tenant's policy names: with tokens per workspace, its installation posts the tenant's cards. */
  workspaceOf?: (tenant: string) => string | undefined;
}

/** A paced call: the pacing key and rule it counts against. */
interface Pace {
  key: string;
  rule: PaceRule;
}

/**
 * Slack as a chat platform: cards in channels through the Web API, the
 * tenant of a workspace, membership by listed user or user group.
 *
 * Within Slack's limits: a card is posted only in a slot the shared pacer
 * hands out for its channel (about one a second, `cardWait`, asked when the
 * round starts, so the card's job is written due at its slot, and again when
 * the job runs); while the slot is later, the job waits in the queue, without
 * calling Slack or holding a worker slot, and a second channel's cards keep
 * flowing meanwhile. Card updates are paced per
 * workspace the same way (updateCard throws RateLimited until its slot).
 * Reminders and notices take a slot but go out at once (one per round or per
 * incident; the slot they leave unused evens it out). A 429 that Slack sends
 * anyway pushes the key's next slot past its Retry-After.
 *
 * Its WebClients do not wait out a 429 themselves: they throw RateLimited,
 * and the queue delays the job (without spending an attempt). 5xx and network
 * errors get a few quick retries, then the queue's backoff.
 *
 * Which token: with SLACK_BOT_TOKEN the one token, for every tenant;
 * installed into many workspaces, that of the installation serving the
 * workspace the action's tenant names (`slack.team_id`), looked up for each
 * call, so an uninstall holds the next card at once (NotInstalled). Pacing
 * is then keyed by that workspace.
 */
export class SlackPlatform implements ChatPlatform {
  readonly name = 'slack';
  private readonly directory: SlackDirectory;
  private identity: { botId?: string; botUserId?: string; teamId?: string } | undefined;
  private readonly pacer: SendPacer;

  constructor(
    private readonly clients: SlackClients,
    private readonly opts: SlackPlatformOptions = {},
  ) {
    this.directory = new SlackDirectory((teamId) => clients.of('cards', { teamId }), clients.tokens.perWorkspace);
    this.pacer = opts.pacer ?? unpaced;
  }

  /** The bot's ids once the start-up check has read them (Bolt's authorize uses them). */
  botIdentity() {
    return this.identity && { botId: this.identity.botId, botUserId: this.identity.botUserId };
  }

  /**
   * The workspace a tenant's calls go to, which keys their pacing: the one
   * workspace of SLACK_BOT_TOKEN (until auth.test has named it, `workspace`),
   * else the tenant's `slack.team_id`.
   */
  private teamOf(tenant: string): string {
    if (!this.clients.tokens.perWorkspace) return this.identity?.teamId ?? 'workspace';
    return this.opts.workspaceOf?.(tenant) ?? `tenant:${tenant}`;
  }

  /** The cards client of the tenant's workspace; NotInstalled when no installation serves it. */
  private async client(tenant: string): Promise<WebClient> {
    if (!this.clients.tokens.perWorkspace) return this.clients.of('cards', {});
    const teamId = this.opts.workspaceOf?.(tenant);
    if (!teamId) throw new NotInstalled(`tenant:${tenant}`, `tenant ${tenant} names no Slack workspace (tenants.${tenant}.slack.team_id)`);
    return this.clients.of('cards', { teamId });
  }

  private postPace(tenant: string, channel: string): Pace {
    return { key: channelKey(this.teamOf(tenant), channel), rule: SLACK_PACE.postPerChannel };
  }

  /** Throws RateLimited, without calling Slack, when `holder`'s slot is still to come. */
  private async inSlot(pace: Pace, holder: string, what: string): Promise<void> {
    const wait = await this.pacer.reserve(pace.key, holder, pace.rule);
    if (wait > 0) throw new RateLimited(wait, `${what} (paced to Slack's limits)`);
  }

  /** Maps a failed call; a 429 also keeps every process off the key until its Retry-After has passed. */
  private async failed(err: unknown, pace: Pace, what: string): Promise<never> {
    const mapped = toDeliveryError(err, what);
    if (mapped instanceof RateLimited) await this.pacer.holdOff(pace.key, mapped.retryAfterMs, pace.rule);
    throw mapped;
  }

  targets(group: ReviewerGroup): boolean {
    return this.directory.targets(group);
  }

  tenantOf(policy: Policy, teamId: string): TenantPolicy | undefined {
    return this.directory.tenantOf(policy, teamId);
  }

  workspaceOf(tenant: TenantPolicy): string | undefined {
    return this.directory.workspaceOf(tenant);
  }

  isMember(group: ReviewerGroup, reviewer: ReviewerIdentity): Promise<boolean> {
    return this.directory.isMember(group, reviewer);
  }

  isAdmin(tenant: TenantPolicy, userId: string): boolean {
    return this.directory.isAdmin(tenant, userId);
  }

  emailOf(reviewer: ReviewerIdentity): Promise<{ email: string } | { unreadable: string }> {
    return this.directory.emailOf(reviewer);
  }

  /**
   * Tenants whose cards are held because no installation serves their
   * workspace, with why and where to install (none with one token for all).
   */
  async uninstalled(tenants: readonly TenantPolicy[]): Promise<Map<string, string>> {
    const held = new Map<string, string>();
    const { tokens } = this.clients;
    if (!tokens.perWorkspace) return held;
    const at = tokens.installUrl ? ` at ${tokens.installUrl}` : '';
    const inSlack = tenants.filter((t) => this.workspaceOf(t) !== undefined || [...t.reviewerGroups.values()].some((g) => this.targets(g)));
    const unserved = await tokens.unserved(inSlack.flatMap((t) => this.workspaceOf(t) ?? []));
    for (const t of inSlack) {
      const team = this.workspaceOf(t);
      const why = team === undefined ? 'no_workspace' : unserved.get(team);
      if (why === 'no_workspace') held.set(t.id, `tenant ${t.id} names no Slack workspace (tenants.${t.id}.slack.team_id)`);
      else if (why === 'not_installed') held.set(t.id, `no Slack installation serves workspace ${team}: install Airlock there${at}`);
      else if (why === 'other_secret') held.set(t.id, `the Slack installation of workspace ${team} was sealed under another AIRLOCK_SECRET: install Airlock there again${at}`);
    }
    return held;
  }

  async check(): Promise<void> {
    // Installed into many workspaces, each token was checked (auth.test) when it was installed: there is no one token to check.
    if (this.clients.tokens.perWorkspace) return;
    let res;
    try {
      res = await (await this.clients.of('cards', {})).auth.test();
    } catch (err) {
      throw new AirlockError('unavailable', startupProblem(err), { retry: true, cause: err });
    }
    this.identity = { botId: res.bot_id, botUserId: res.user_id, teamId: res.team_id };
    await this.opts.onConnected?.();
  }

  /** One slot per card of a round in its channel: the same job asking again gets the slot it was given. */
  async cardWait(content: CardContent, opts?: { ahead?: boolean }): Promise<number> {
    const pace = this.postPace(content.action.tenant, channelOf(content.group));
    return this.pacer.reserve(pace.key, `card:${content.action.id}:${content.action.round}`, pace.rule, opts);
  }

  async postCard(content: CardContent): Promise<SlackCardRef> {
    const channel = channelOf(content.group);
    const pace = this.postPace(content.action.tenant, channel);
    const what = `chat.postMessage to ${channel}`;
    const { text, blocks } = this.render(content);
    const client = await this.client(content.action.tenant);
    try {
      const res = await client.chat.postMessage({
        channel,
        text,
        blocks,
        unfurl_links: false,
        unfurl_media: false,
        metadata: { event_type: CARD_EVENT_TYPE, event_payload: { action_id: content.action.id, round: content.action.round } },
      });
      return { platform: 'slack', channel: res.channel ?? channel, ts: res.ts! };
    } catch (err) {
      return this.failed(err, pace, what);
    }
  }

  async findCard(content: CardContent, since: Date): Promise<SlackCardRef | undefined> {
    const channel = channelOf(content.group);
    const client = await this.client(content.action.tenant);
    try {
      const res = await client.conversations.history({ channel, oldest: String(since.getTime() / 1000), include_all_metadata: true, limit: 200 });
      const found = res.messages?.find(
        (m) => m.metadata?.event_type === CARD_EVENT_TYPE && (m.metadata.event_payload as { action_id?: string } | undefined)?.action_id === content.action.id,
      );
      return found?.ts ? { platform: 'slack', channel, ts: found.ts } : undefined;
    } catch (err) {
      throw toDeliveryError(err, `conversations.history of ${channel}`);
    }
  }

  async updateCard(ref: CardRef, content: CardContent): Promise<void> {
    const { channel, ts } = ref as SlackCardRef;
    const pace = { key: methodKey(this.teamOf(content.action.tenant), 'chat.update'), rule: SLACK_PACE.tier3 };
    const what = `chat.update in ${channel}`;
    await this.inSlot(pace, `update:${channel}:${ts}`, `Slack ${what}`);
    const { text, blocks } = this.render(content);
    const client = await this.client(content.action.tenant);
    try {
      await client.chat.update({ channel, ts, text, blocks });
    } catch (err) {
      return this.failed(err, pace, what);
    }
  }

  async postReminder(ref: CardRef, content: CardContent): Promise<void> {
    const { channel, ts } = ref as SlackCardRef;
    const pace = this.postPace(content.action.tenant, channel);
    const client = await this.client(content.action.tenant);
    // Sent now whatever the slot: a reminder is never queued behind a burst of cards.
    await this.pacer.reserve(pace.key, `reminder:${content.action.id}:${content.action.round}`, pace.rule);
    try {
      await client.chat.postMessage({
        channel,
        thread_ts: ts,
        reply_broadcast: true,
        text: renderLine(content.card.reminder),
      });
    } catch (err) {
      return this.failed(err, pace, `reminder in ${channel}`);
    }
  }

  async postNotice(tenant: string, group: ReviewerGroup, notice: Message): Promise<void> {
    const channel = group.chat.get('slack')?.place;
    if (!channel) return;
    const pace = this.postPace(tenant, channel);
    const client = await this.client(tenant);
    await this.pacer.reserve(pace.key, `notice:${randomUUID()}`, pace.rule);
    try {
      // Escaped like every other text: a reason typed by an admin cannot ping @channel or hide a link.
      await client.chat.postMessage({ channel, text: renderMessage(notice), unfurl_links: false, unfurl_media: false });
    } catch (err) {
      return this.failed(err, pace, `notice to ${channel}`);
    }
  }

  private render(content: CardContent) {
    return renderApprovalCard(content.card, { auditUrl: this.opts.auditUrl?.(content.action.id) });
  }
}

function channelOf(group: ReviewerGroup): string {
  const channel = group.chat.get('slack')?.place;
  if (!channel) throw new AirlockError('delivery_failed', `reviewer group ${group.name} has no Slack channel`, { retry: false });
  return channel;
}
