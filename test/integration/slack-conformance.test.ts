import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { approvalConformance } from './approval-conformance.js';
import { FakeSlackApi, type RecordedCall } from '../fakes/fake-slack-api.js';
import { createTestDatabase } from '../support/database.js';
import { slashCommand } from '../support/slack-command.js';
import { approveClick, denySubmission, editSubmission, postInteraction } from '../support/slack-requests.js';
import { startSlackAirlock } from '../support/slack-airlock.js';
import { startSlackProcess } from '../support/slack-process.js';

/** The workspace each test user clicks from: globex's reviewer from globex's, a stranger from one no tenant knows. */
const TEAMS: Record<string, string> = { U0GLEAD: 'T0GLOBEX', U0NOBODY: 'T0NOBODY' };

approvalConformance('Slack', async () => {
  // A copy the suite may rewrite: the fixture is shared with other test files.
  const dir = mkdtempSync(join(tmpdir(), 'airlock-conformance-'));
  const policyFile = join(dir, 'policy.yml');
  const original = readFileSync('test/fixtures/approval-policy.yml', 'utf8');
  writeFileSync(policyFile, original);
  const t = await startSlackAirlock({ policyFile, env: { AIRLOCK_CHAT_PACING: 'on' } });
  const posts = (id: string) => t.slack.calls('chat.postMessage').filter((c) => JSON.stringify(c.body.metadata ?? '').includes(id));
  let answersSince = 0;
  const blocks = (c: RecordedCall) => (c.body.blocks ?? []) as { type: string }[];
  return {
    reviewers: ['U0LEAD1', 'U0LEAD2'],
    email: (user) => t.slack.emails[user] ?? '',
    quorum: ['U0FIN1', 'U0FIN2'],
    outsider: 'U0OUTSIDER',
    foreigner: 'U0GLEAD',
    unconnected: 'U0NOBODY',
    shown: (id) => `<@${id}>`,
    submit: (tool, body = {}) => t.submit(tool, { args: { to: 'x@example.com', subject: 's' }, ...body }) as never,
    get: async (id, wait) => (await t.app.inject({ method: 'GET', url: `/v1/actions/${id}${wait ? `?wait=${wait}` : ''}`, headers: { authorization: t.auth } })).json(),
    query: async (sql, params) => (await t.core.pool.query(sql, params)).rows,
    click: async (user, actionId, choice, version = 1) => {
      const team = TEAMS[user] ?? 'T0ACME';
      // Deny and approve-with-changes arrive as the modal's submission; opening the modal is Slack's own step (slack-approval.test.ts).
      const payload =
        choice.verb === 'approve'
          ? approveClick({ user, actionId, version, team })
          : choice.verb === 'deny'
            ? denySubmission({ user, actionId, reason: choice.reason, version, team })
            : editSubmission({ user, actionId, version, edits: choice.edits, reason: choice.reason });
      const res = await postInteraction(t.app, payload);
      if (res.statusCode !== 200) throw new Error(`Slack interaction answered ${res.statusCode}: ${res.body}`);
    },
    awaitingReview: async (id) => {
      await t.slack.waitForCall('chat.postMessage', (c) => c.status === 200 && JSON.stringify(c.body.metadata ?? '').includes(id), 15_000);
    },
    cardViews: async (id) => {
      // The card's ts ties an update to the post.
      const card = posts(id).find((c) => c.status === 200);
      const ts = card && t.slack.messages(String(card.body.channel)).find((m) => JSON.stringify(m.metadata ?? '').includes(id))?.ts;
      return t.slack
        .calls('chat.update')
        .filter((c) => ts && c.status === 200 && c.body.ts === ts)
        .map((c) => ({ text: JSON.stringify(blocks(c)), buttons: blocks(c).some((b) => b.type === 'actions') }));
    },
    cards: {
      postAttempts: (id) => posts(id).map((c) => ({ status: c.status, at: c.at.getTime() })),
      makeNextPostFail: (kind) =>
        t.slack.failNext('chat.postMessage', kind === 'place_gone' ? { error: 'channel_not_found' } : kind === 'not_a_member' ? { error: 'not_in_channel' } : { retryAfter: kind.rateLimited }),
      startRefused: async () => {
        const secret = 'xoxb-never-printed-9f2c';
        const slack = await FakeSlackApi.start();
        slack.failNext('auth.test', { error: 'invalid_auth', times: 1_000 });
        slack.failNext('chat.postMessage', { error: 'invalid_auth', times: 1_000 });
        const db = await createTestDatabase();
        const r = await startSlackProcess({ databaseUrl: db.url, apiUrl: slack.url, token: secret, policyFile: 'test/fixtures/approval-policy.yml' });
        const key = await r.agentKey();
        const api = (path: string, init: RequestInit = {}) =>
          fetch(`${r.base}/v1/actions${path}`, { ...init, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } }).then((res) => res.json());
        return {
          variable: 'SLACK_BOT_TOKEN',
          secret,
          readyz: async () => ({ status: (await fetch(`${r.base}/readyz`)).status, chat: await r.chatState() }),
          submit: (tool) => api('', { method: 'POST', body: JSON.stringify({ tool, args: { to: 'x@example.com', subject: 's' }, requester: { id: 'U0SAM' } }) }),
          get: (id) => api(`/${id}`),
          output: r.output,
          close: async () => {
            await r.close();
            await slack.close();
            await db.drop();
          },
        };
      },
    },
    forgetAnswers: () => {
      answersSince = Date.now();
    },
    toldPrivately: async (user, contains) =>
      String(
        (await t.slack.waitForCall('chat.postEphemeral', (c) => c.at.getTime() >= answersSince && c.body.user === user && String(c.body.text).includes(contains))).body.text,
      ),
    admin: (text) => slashCommand(t, text),
    reloadPolicy: async (edit) => {
      writeFileSync(policyFile, edit(original));
      // What SIGHUP runs in the server process.
      await t.core.reloadPolicy();
    },
    close: async () => {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
