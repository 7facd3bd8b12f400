import { readFileSync } from 'node:fs';
import pg from 'pg';
import { approvalConformance } from './approval-conformance.js';
import type { ConnectorCall } from '../fakes/fake-bot-framework.js';
import { TEAMS_MEMBERS, startTeamsAirlock, teamsActivity } from '../support/teams-airlock.js';
import { waitFor } from '../support/wait-for.js';

/** The AAD tenant each test user clicks from: globex's reviewer from globex's, a stranger from one no tenant knows. */
const TENANTS: Record<string, string> = { 'aad-glead': 'aad-tenant-globex', 'aad-nobody': 'aad-tenant-nobody' };
const FIXTURES = { approve: 'invoke-approve', deny: 'invoke-deny', edit: 'invoke-approve-edit' } as const;

approvalConformance('Teams', async () => {
  const t = await startTeamsAirlock({ env: { AIRLOCK_CHAT_PACING: 'on' } });
  /** What each user was told in answer to their clicks (a message response to the invoke). */
  const told = new Map<string, string[]>();
  const member = (aad: string) => TEAMS_MEMBERS.find((m) => m.aadObjectId === aad);
  const sends = (id: string) => t.fake.calls('send').filter((c) => JSON.stringify(c.body).includes(id));
  const card = (id: string) => sends(id).find((c) => c.status === 200);
  /** Decidable: buttons on the card, or reviewers listed to refresh it into their own view with buttons. */
  const hasButtons = (body: ConnectorCall['body']) => {
    const content = body?.attachments?.[0]?.content;
    return ((content?.actions ?? []) as { type: string }[]).some((a) => a.type !== 'Action.OpenUrl') || (content?.refresh?.userIds?.length ?? 0) > 0;
  };
  return {
    reviewers: ['aad-lead-1', 'aad-lead-2'],
    email: (user) => member(user)?.userPrincipalName ?? '',
    quorum: ['aad-fin-1', 'aad-fin-2'],
    outsider: 'aad-outsider',
    foreigner: 'aad-glead',
    unconnected: 'aad-nobody',
    shown: (id) => member(id)?.name ?? id,
    submit: (tool, body = {}) => t.submit(tool, { args: { to: 'x@example.com', subject: 's' }, ...body }, { waitForCard: false }),
    get: async (id, wait) =>
      (await fetch(`${t.base}/v1/actions/${id}${wait ? `?wait=${wait}` : ''}`, { headers: { authorization: `Bearer ${t.shared.agentKey}` } })).json() as never,
    query: async (sql, params) => {
      const c = new pg.Client({ connectionString: t.db.url });
      await c.connect();
      try {
        return (await c.query(sql, params)).rows;
      } finally {
        await c.end();
      }
    },
    click: async (user, actionId, choice, version = 1) => {
      const m = member(user);
      const activity = teamsActivity(FIXTURES[choice.verb], t.fake, { actionId, tenant: TENANTS[user], from: { aadObjectId: user, id: m?.id ?? `29:${user}`, name: m?.name ?? user } });
      // Clicked on the posted card: Teams names that message in the activity.
      const posted = card(actionId);
      if (posted?.answeredId) {
        activity.replyToId = posted.answeredId;
        activity.conversation.id = `${posted.conversationId};messageid=${posted.answeredId}`;
      }
      const data = activity.value.action.data as Record<string, unknown>;
      delete data['edit:subject'];
      delete data['airlock.approveReason'];
      Object.assign(data, { argsVersion: version });
      if (choice.verb === 'deny') data['airlock.denyReason'] = choice.reason;
      if (choice.verb === 'edit') {
        data['airlock.approveReason'] = choice.reason;
        for (const [path, value] of Object.entries(choice.edits)) data[`edit:${path}`] = value;
      }
      const res = await t.send(activity);
      if (res.status !== 200) throw new Error(`the bot endpoint answered ${res.status}`);
      if (res.body?.type === 'application/vnd.microsoft.activity.message') told.set(user, [...(told.get(user) ?? []), String(res.body.value)]);
    },
    awaitingReview: async (id) => {
      await waitFor(() => card(id), { what: `the card of ${id}`, timeoutMs: 15_000 });
    },
    cardViews: async (id) => {
      const posted = card(id)?.answeredId;
      return t.fake
        .calls('update')
        .filter((c) => posted && c.status === 200 && c.activityId === posted)
        .map((c) => ({ text: JSON.stringify(c.body), buttons: hasButtons(c.body) }));
    },
    cards: {
      postAttempts: (id) => sends(id).map((c) => ({ status: c.status, at: c.at })),
      makeNextPostFail: (kind) =>
        t.fake.failNext('send', kind === 'place_gone' ? { status: 404 } : kind === 'not_a_member' ? { status: 403 } : { status: 429, retryAfter: kind.rateLimited }),
      startRefused: async () => {
        const secret = 'not-the-app-password-7f3a';
        const r = await startTeamsAirlock({ env: { TEAMS_APP_PASSWORD: secret } });
        return {
          variable: 'TEAMS_APP_PASSWORD',
          secret,
          readyz: async () => {
            const res = await fetch(`${r.base}/readyz`);
            return { status: res.status, chat: ((await res.json()) as { chat?: Record<string, string> }).chat?.teams ?? '' };
          },
          submit: (tool) => r.submit(tool, { args: { to: 'x@example.com', subject: 's' } }, { waitForCard: false }),
          get: (id) => r.get(id) as never,
          output: r.output,
          close: r.close,
        };
      },
    },
    forgetAnswers: () => told.clear(),
    toldPrivately: (user, contains) => waitFor(() => told.get(user)?.find((m) => m.includes(contains)), { what: `a message to ${user} containing "${contains}"` }),
    admin: async (text) => {
      const before = t.fake.calls('reply').length;
      await t.send(teamsActivity('message-admin-command', t.fake, { text: `<at>Airlock</at> ${text}` }));
      const reply = await waitFor(() => t.fake.calls('reply').slice(before)[0], { what: 'the admin command reply' });
      // As the user reads it: Teams renders a backslash-escaped character as the character.
      return String(reply.body.text).replace(/\\(.)/g, '$1');
    },
    reloadPolicy: (edit) => t.reloadPolicy(edit(readFileSync('test/fixtures/teams-policy.yml', 'utf8'))),
    close: () => t.close(),
  };
});
