import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { approvalConformance } from './approval-conformance.js';
import { slashCommand } from '../support/slack-command.js';
import { approveClick, denySubmission, postInteraction } from '../support/slack-requests.js';
import { startSlackAirlock } from '../support/slack-airlock.js';

approvalConformance('Slack', async () => {
  // A copy the suite may rewrite: the fixture is shared with other test files.
  const dir = mkdtempSync(join(tmpdir(), 'airlock-conformance-'));
  const policyFile = join(dir, 'policy.yml');
  const original = readFileSync('test/fixtures/approval-policy.yml', 'utf8');
  writeFileSync(policyFile, original);
  const t = await startSlackAirlock({ policyFile });
  const metadataHas = (c: { body: Record<string, unknown> }, id: string) => JSON.stringify(c.body.metadata ?? '').includes(id);
  return {
    reviewers: ['U0LEAD1', 'U0LEAD2'],
    quorum: ['U0FIN1', 'U0FIN2'],
    outsider: 'U0OUTSIDER',
    shown: (id) => `<@${id}>`,
    submit: (tool) => t.submit(tool, { args: { to: 'x@example.com', subject: 's' } }),
    get: (id) => t.get(id) as never,
    cardPosted: async (id) => {
      await t.slack.waitForCall('chat.postMessage', (c) => c.status === 200 && metadataHas(c, id));
    },
    cardUpdated: async (id, text) => {
      // The card's ts ties the update to the post.
      const post = await t.slack.waitForCall('chat.postMessage', (c) => c.status === 200 && metadataHas(c, id));
      const ts = t.slack.messages(String(post.body.channel)).find((m) => JSON.stringify(m.metadata ?? '').includes(id))?.ts;
      await t.slack.waitForCall(
        'chat.update',
        (c) => c.body.ts === ts && JSON.stringify(c.body.blocks).includes(text) && !(c.body.blocks as { type: string }[]).some((b) => b.type === 'actions'),
      );
    },
    approve: async (user, id) => {
      await postInteraction(t.app, approveClick({ user, actionId: id, version: 1 }));
    },
    deny: async (user, id, reason) => {
      await postInteraction(t.app, denySubmission({ user, actionId: id, reason, version: 1 }));
    },
    toldPrivately: async (user, contains) =>
      String((await t.slack.waitForCall('chat.postEphemeral', (c) => c.body.user === user && String(c.body.text).includes(contains))).body.text),
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
