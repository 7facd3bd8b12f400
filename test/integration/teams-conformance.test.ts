import { readFileSync } from 'node:fs';
import { approvalConformance } from './approval-conformance.js';
import { TEAMS_MEMBERS, startTeamsAirlock, teamsActivity } from '../support/teams-airlock.js';
import { waitFor } from '../support/wait-for.js';

approvalConformance('Teams', async () => {
  const t = await startTeamsAirlock();
  /** What each user was told in answer to their clicks (a message response). */
  const told = new Map<string, string[]>();
  const member = (aad: string) => TEAMS_MEMBERS.find((m) => m.aadObjectId === aad);
  const click = async (fixture: string, user: string, actionId: string, data: Record<string, unknown> = {}) => {
    const m = member(user);
    const activity = teamsActivity(fixture, t.fake, { actionId, from: { aadObjectId: user, id: m?.id ?? `29:${user}`, name: m?.name ?? user } });
    Object.assign(activity.value.action.data, { argsVersion: 1, ...data });
    const res = await t.send(activity);
    if (res.body?.type === 'application/vnd.microsoft.activity.message') told.set(user, [...(told.get(user) ?? []), String(res.body.value)]);
  };
  /** The message id the action's card was posted as. */
  const cardId = async (actionId: string) => (await t.fake.waitForCall('send', (c) => c.status === 200 && JSON.stringify(c.body).includes(actionId))).answeredId!;
  const hasButtons = (body: { attachments?: { content?: { actions?: { type: string }[] } }[] }) =>
    (body.attachments?.[0]?.content?.actions ?? []).some((a) => a.type !== 'Action.OpenUrl');
  return {
    reviewers: ['aad-lead-1', 'aad-lead-2'],
    quorum: ['aad-fin-1', 'aad-fin-2'],
    outsider: 'aad-outsider',
    shown: (id) => member(id)?.name ?? id,
    submit: (tool) => t.submit(tool, { args: { to: 'x@example.com', subject: 's' } }),
    get: (id) => t.get(id) as never,
    cardPosted: async (id) => {
      await cardId(id);
    },
    cardUpdated: async (id, text) => {
      const activityId = await cardId(id);
      await t.fake.waitForCall('update', (c) => c.activityId === activityId && JSON.stringify(c.body).includes(text) && !hasButtons(c.body), 15_000);
    },
    approve: (user, id) => click('invoke-approve', user, id),
    deny: (user, id, reason) => click('invoke-deny', user, id, { 'airlock.denyReason': reason }),
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
