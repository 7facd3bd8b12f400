import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait-for.js';

/**
 * What every chat adapter must do for approvals (STYLE.md convention 2). A
 * platform provides a driver; the suite asserts behaviour a reviewer, an
 * admin or an agent would notice. Slack and Teams both run it
 * (slack-conformance.test.ts, teams-conformance.test.ts); their policies
 * give both the same tools:
 * - `send_email`: the `reviewers` group decides, one approval;
 * - `refund`: the `quorum` group decides, two distinct approvals;
 * - `quick_deny`: denied when nobody decides within 2 s.
 */
export interface ChatDriver {
  submit(tool: 'send_email' | 'refund' | 'quick_deny'): Promise<{ id: string }>;
  get(id: string): Promise<{ status: string; reasons?: string[]; reviews?: { reviewer: { id: string }; decision: string; reason: string | null }[] }>;
  reviewers: [string, string];
  quorum: [string, string];
  outsider: string;
  /** How the platform names a reviewer in what it tells people (a Slack mention, a Teams display name). */
  shown(reviewerId: string): string;
  cardPosted(actionId: string): Promise<void>;
  /** Resolves once the action's card was updated to show `text` and has no buttons. */
  cardUpdated(actionId: string, text: string): Promise<void>;
  approve(user: string, actionId: string): Promise<void>;
  deny(user: string, actionId: string, reason: string): Promise<void>;
  /** Resolves with the text of a private answer to `user` containing `contains`. */
  toldPrivately(user: string, contains: string): Promise<string>;
  /** Runs an admin command as one of the tenant's admins; resolves with the reply's text. */
  admin(text: string): Promise<string>;
  /**
   * Rewrites the policy file as `edit` returns it (given the policy the
   * server started with) and reloads it the way the running server does on
   * SIGHUP. `reloadPolicy((p) => p)` restores the original.
   */
  reloadPolicy(edit: (policy: string) => string): Promise<void>;
  close(): Promise<void>;
}

export function approvalConformance(platform: string, start: () => Promise<ChatDriver>) {
  describe(`approval conformance: ${platform}`, () => {
    let d: ChatDriver;
    beforeAll(async () => {
      d = await start();
    }, 120_000);
    afterAll(() => d.close());

    const until = (id: string, check: (a: Awaited<ReturnType<ChatDriver['get']>>) => boolean, what: string) =>
      waitFor(async () => {
        const a = await d.get(id);
        return check(a) ? a : undefined;
      }, { what });

    it('approves: the reviewer is recorded and the card is updated in place without buttons', async () => {
      const a = await d.submit('send_email');
      await d.cardPosted(a.id);
      await d.approve(d.reviewers[0], a.id);
      const approved = await until(a.id, (x) => x.status === 'approved', 'approved');
      expect(approved.reviews?.map((r) => r.reviewer.id)).toEqual([d.reviewers[0]]);
      await d.cardUpdated(a.id, 'Approved');
    });

    it('denies with the reviewer’s reason, returned to the agent', async () => {
      const a = await d.submit('send_email');
      await d.cardPosted(a.id);
      await d.deny(d.reviewers[1], a.id, 'Not this customer');
      const denied = await until(a.id, (x) => x.status === 'denied', 'denied');
      expect(denied.reviews?.[0]).toMatchObject({ decision: 'deny', reason: 'Not this customer' });
      await d.cardUpdated(a.id, 'Not this customer');
    });

    it('refuses a clicker outside the reviewer group and tells them privately', async () => {
      const a = await d.submit('send_email');
      await d.cardPosted(a.id);
      await d.approve(d.outsider, a.id);
      await d.toldPrivately(d.outsider, 'Only members');
      expect((await d.get(a.id)).status).toBe('pending');
    });

    it('lets exactly one of two simultaneous clicks decide and tells the other who did', async () => {
      const a = await d.submit('send_email');
      await d.cardPosted(a.id);
      await Promise.all([d.approve(d.reviewers[0], a.id), d.deny(d.reviewers[1], a.id, 'racing')]);
      const settled = await until(a.id, (x) => x.status !== 'pending', 'decided');
      expect(settled.reviews).toHaveLength(1);
      const winner = settled.reviews![0]!.reviewer.id;
      const loser = winner === d.reviewers[0] ? d.reviewers[1] : d.reviewers[0];
      expect(await d.toldPrivately(loser, 'Too late')).toContain(d.shown(winner));
    });

    it('needs two distinct approvers for a quorum of two, and shows the progress on the card', async () => {
      const a = await d.submit('refund');
      await d.cardPosted(a.id);
      await d.approve(d.quorum[0], a.id);
      await until(a.id, (x) => x.reviews?.length === 1, 'the first approval');
      expect((await d.get(a.id)).status).toBe('pending');
      await d.approve(d.quorum[0], a.id);
      await d.toldPrivately(d.quorum[0], 'already approved');
      await d.approve(d.quorum[1], a.id);
      const approved = await until(a.id, (x) => x.status === 'approved', 'approved by two');
      expect(approved.reviews?.map((r) => r.reviewer.id).sort()).toEqual([...d.quorum].sort());
      await d.cardUpdated(a.id, 'Approved');
    });

    it('updates the card when nobody decides in time', async () => {
      const a = await d.submit('quick_deny');
      await d.cardPosted(a.id);
      await until(a.id, (x) => x.status === 'expired', 'expired');
      await d.cardUpdated(a.id, 'Expired');
    });

    it('carries out an admin command: a denied tool ends its pending approvals and their cards say so', async () => {
      const a = await d.submit('send_email');
      await d.cardPosted(a.id);
      try {
        expect(await d.admin('deny-tool send_email conformance drill')).toMatch(/\d+ pending approval\(s\) ended/);
        await until(a.id, (x) => x.status === 'denied', 'denied by the admin');
        await d.cardUpdated(a.id, 'conformance drill');
      } finally {
        await d.admin('allow-tool send_email');
      }
    });

    it('ends a pending approval once a policy reload takes its tool from the agent: the card and the agent say why, and a later click cannot approve it', async () => {
      const a = await d.submit('send_email');
      await d.cardPosted(a.id);
      try {
        await d.reloadPolicy((p) => p.replace('tools: [send_email, refund', 'tools: [refund'));
        const ended = await until(a.id, (x) => x.status === 'denied', 'denied by the reload');
        expect(ended.reasons?.at(-1)).toContain('send_email is no longer in the tool list of agent bot');
        await d.cardUpdated(a.id, 'no longer in the tool list');
        await d.approve(d.reviewers[0], a.id);
        await d.toldPrivately(d.reviewers[0], 'Too late');
        expect((await d.get(a.id)).status).toBe('denied');
      } finally {
        await d.reloadPolicy((p) => p);
      }
    });
  });
}
