import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait-for.js';

/**
 * What every chat adapter must do for approvals (STYLE.md convention 2). A
 * platform provides a driver; the suite asserts behaviour a reviewer or an
 * agent would notice. Slack runs it today (slack-conformance.test.ts); the
 * Teams adapter must run it too.
 */
export interface ChatDriver {
  /** Queues an action whose reviewer group has members `reviewers[0..1]`, requested by `requester`. */
  submit(tool: 'send_email'): Promise<{ id: string }>;
  get(id: string): Promise<{ status: string; reviews?: { reviewer: { id: string }; decision: string; reason: string | null }[] }>;
  reviewers: [string, string];
  outsider: string;
  cardPosted(actionId: string): Promise<void>;
  /** Resolves once the action's card was updated to show `text` and has no buttons. */
  cardUpdated(actionId: string, text: string): Promise<void>;
  approve(user: string, actionId: string): Promise<void>;
  deny(user: string, actionId: string, reason: string): Promise<void>;
  /** Resolves with the text of the next private message to `user` containing `contains`. */
  toldPrivately(user: string, contains: string): Promise<string>;
  close(): Promise<void>;
}

export function approvalConformance(platform: string, start: () => Promise<ChatDriver>) {
  describe(`approval conformance: ${platform}`, () => {
    let d: ChatDriver;
    beforeAll(async () => {
      d = await start();
    });
    afterAll(() => d.close());

    const until = (id: string, status: string) =>
      waitFor(async () => {
        const a = await d.get(id);
        return a.status === status ? a : undefined;
      }, { what: `status ${status}` });

    it('approves: the reviewer is recorded and the card is updated in place without buttons', async () => {
      const a = await d.submit('send_email');
      await d.cardPosted(a.id);
      await d.approve(d.reviewers[0], a.id);
      const approved = await until(a.id, 'approved');
      expect(approved.reviews?.map((r) => r.reviewer.id)).toEqual([d.reviewers[0]]);
      await d.cardUpdated(a.id, 'Approved');
    });

    it('denies with the reviewer’s reason, returned to the agent', async () => {
      const a = await d.submit('send_email');
      await d.cardPosted(a.id);
      await d.deny(d.reviewers[1], a.id, 'Not this customer');
      const denied = await until(a.id, 'denied');
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
      const settled = await waitFor(async () => {
        const x = await d.get(a.id);
        return x.status !== 'pending' ? x : undefined;
      });
      expect(settled.reviews).toHaveLength(1);
      const winner = settled.reviews![0]!.reviewer.id;
      const loser = winner === d.reviewers[0] ? d.reviewers[1] : d.reviewers[0];
      expect(await d.toldPrivately(loser, 'Too late')).toContain(winner);
    });
  });
}
