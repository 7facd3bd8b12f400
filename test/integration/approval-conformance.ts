import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson, sha256Hex } from '../../src/domain/canonical-json.js';
import { waitFor } from '../support/wait-for.js';

/**
 * What every surface that decides approvals must do (STYLE.md convention 2),
 * and the single place a behaviour they share is tested. A platform provides
 * a driver of small hooks; the suite asserts what a reviewer, an admin or an
 * agent would notice. Slack and Teams run it (slack-conformance.test.ts,
 * teams-conformance.test.ts), each against its real SDK and a local fake of
 * the platform's API, with pacing on as deployed; the web console runs it
 * (console-conformance.test.ts) with people signed in at a real OpenID
 * provider, posting its forms. What only a surface that posts cards to a chat
 * platform can show (a refused or rate-limited post, credentials the
 * platform refuses, an update of the posted card) needs the driver's `cards`
 * hooks, and is skipped for a driver without them. Their policies give all
 * three the same tools:
 * - `send_email`: the `leads` group decides, one approval; falls back to
 *   `draft_write` on timeout; `subject` is editable;
 * - `refund`: the `finance` group decides, two distinct approvals;
 * - `big_refund`: `finance`, two approvals, `amount_cents` and `memo` editable;
 * - `quick_deny`: `leads`, denied when nobody decides within 2 s.
 * Another tenant of the same deployment (`globex`) has its own reviewer.
 */
export type Choice =
  | { verb: 'approve' }
  | { verb: 'deny'; reason: string }
  /** Approve with changes: raw text per editable argument path, as typed into the form. */
  | { verb: 'edit'; edits: Record<string, string>; reason: string };

export interface ActionView {
  status: string;
  decision?: string;
  mode?: string;
  reasons?: string[];
  outcome_detail?: string;
  args_version?: number;
  args_sha256?: string;
  approved_args?: Record<string, unknown>;
  reviews?: { reviewer: { id: string; email?: string }; decision: string; reason: string | null; args_version?: number; args_sha256?: string }[];
}

/** One call that tried to post an action's card, as the fake platform answered it. */
export interface PostAttempt {
  status: number;
  at: number;
}

/**
 * The card as a reviewer was shown it: its text, and whether it can still be
 * decided there (decision buttons in chat, review forms in the console).
 */
export interface CardView {
  text: string;
  buttons: boolean;
}

/** A server whose platform refused its credentials at start. */
export interface RefusedServer {
  /** The setting an operator has to fix, and the refused value it holds (never to be printed). */
  variable: string;
  secret: string;
  readyz(): Promise<{ status: number; chat: string }>;
  submit(tool: 'send_email'): Promise<{ id: string; status: string }>;
  get(id: string): Promise<ActionView>;
  /** Everything the server logged. */
  output(): string;
  close(): Promise<void>;
}

/** What only a surface that posts cards to a chat platform has. */
export interface CardDelivery {
  /** Every call that tried to post the action's card so far, oldest first. */
  postAttempts(actionId: string): PostAttempt[];
  /**
   * The next card post fails as the platform fails it when the place the
   * card goes to is gone, when the bot is not a member of it, or when it is
   * rate limited (with Retry-After `retryAfter` seconds).
   */
  makeNextPostFail(kind: 'place_gone' | 'not_a_member' | { rateLimited: number }): void;
  /**
   * Starts another server of the deployment (its own database) with platform
   * credentials the platform refuses; the server the other cases use is left alone.
   */
  startRefused(): Promise<RefusedServer>;
}

export interface ApprovalDriver {
  submit(tool: 'send_email' | 'refund' | 'big_refund' | 'quick_deny', body?: { args?: Record<string, unknown>; requester?: { id: string; email?: string } }): Promise<{ id: string; args_sha256?: string }>;
  /** The action as its agent reads it; `waitSeconds` long-polls until it is decided. */
  get(id: string, waitSeconds?: number): Promise<ActionView>;
  /** Rows of the deployment's Postgres (the audit trail is what an auditor reads). */
  query<R = Record<string, any>>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Two members of `leads`; the first has an email the platform's directory gives. */
  reviewers: [string, string];
  /** The email the platform's directory gives for a user. */
  email(user: string): string;
  /** Two members of `finance`. */
  quorum: [string, string];
  /** A user of the tenant (its workspace, or a console role) outside every reviewer group. */
  outsider: string;
  /** A reviewer of the other tenant (`globex`), clicking from that tenant's workspace (or console). */
  foreigner: string;
  /** A user of a workspace no tenant is connected to (a person signed in to the console with no role in any tenant). */
  unconnected: string;
  /** How the platform names a reviewer in what it tells people (a Slack mention, a Teams or IdP display name). */
  shown(reviewerId: string): string;
  /** A click on the card the user sees (a form the console shows), showing argument version `version` (1 unless given). */
  click(user: string, actionId: string, choice: Choice, version?: number): Promise<void>;
  /** Resolves once the action's reviewers can decide it: its card posted in chat, listed in its group's console inbox. */
  awaitingReview(actionId: string): Promise<void>;
  /**
   * The action's card as its reviewers were shown it so far, oldest first:
   * each update of the posted card in chat; in the console, the card the
   * action's page shows its group now.
   */
  cardViews(actionId: string): Promise<CardView[]>;
  /** Only a surface that posts cards to a chat platform has these; the chat delivery cases need them. */
  cards?: CardDelivery;
  /** Forgets the private answers given so far: each test reads only its own. */
  forgetAnswers(): void;
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

export function approvalConformance(platform: string, start: () => Promise<ApprovalDriver>) {
  describe(`approval conformance: ${platform}`, () => {
    let d: ApprovalDriver;
    beforeAll(async () => {
      d = await start();
    }, 120_000);
    afterAll(() => d?.close());
    beforeEach(() => d.forgetAnswers());

    const until = (id: string, check: (a: ActionView) => boolean, what: string, timeoutMs?: number) =>
      waitFor(async () => {
        const a = await d.get(id);
        return check(a) ? a : undefined;
      }, { what, timeoutMs });
    const approve = (user: string, id: string, version?: number) => d.click(user, id, { verb: 'approve' }, version);
    const deny = (user: string, id: string, reason: string) => d.click(user, id, { verb: 'deny', reason });
    /** Resolves with the first update of the card showing `text`, with or without buttons as asked. */
    const cardShows = (id: string, text: string, buttons = false) =>
      waitFor(async () => (await d.cardViews(id)).find((u) => u.text.includes(text) && u.buttons === buttons), {
        what: `the card of ${id} showing "${text}" ${buttons ? 'with' : 'without'} buttons`,
        timeoutMs: 15_000,
      });
    const audit = (id: string) => d.query<{ kind: string; data: Record<string, any> }>('SELECT kind, data FROM audit_events WHERE action_id = $1 ORDER BY id', [id]);
    const refusals = async (id: string) => (await audit(id)).filter((e) => e.kind === 'review_refused').map((e) => e.data.refused_because);

    it('approves: the reviewer is recorded with their email, a waiting agent wakes, and the card is updated in place without buttons', async () => {
      const a = await d.submit('send_email');
      await d.awaitingReview(a.id);
      const waiting = d.get(a.id, 20);
      await approve(d.reviewers[0], a.id);
      const approved = await waiting;
      expect(approved.status).toBe('approved');
      expect(approved.reviews).toEqual([expect.objectContaining({ decision: 'approve', reviewer: expect.objectContaining({ id: d.reviewers[0], email: d.email(d.reviewers[0]) }) })]);
      expect((await audit(a.id)).map((e) => e.kind)).toContain('review');
      await cardShows(a.id, 'Approved');
    });

    it('denies with the reviewer’s reason, returned to the agent', async () => {
      const a = await d.submit('send_email');
      await d.awaitingReview(a.id);
      await deny(d.reviewers[1], a.id, 'Not this customer');
      const denied = await until(a.id, (x) => x.status === 'denied', 'denied');
      expect(denied.reviews).toEqual([expect.objectContaining({ decision: 'deny', reason: 'Not this customer', reviewer: expect.objectContaining({ id: d.reviewers[1] }) })]);
      await cardShows(a.id, 'Not this customer');
    });

    it('refuses a clicker outside the reviewer group, tells them privately and audits the refusal', async () => {
      const a = await d.submit('send_email');
      await d.awaitingReview(a.id);
      await approve(d.outsider, a.id);
      await d.toldPrivately(d.outsider, 'Only members of the leads group');
      expect((await d.get(a.id)).status).toBe('pending');
      expect(await refusals(a.id)).toEqual(['not_in_reviewer_group']);
    });

    it('refuses self-approval whether the requester is named by id (in any case or padding) or by email (in any case), and audits each refusal', async () => {
      const me = d.reviewers[0];
      const mixed = [...me].map((c, i) => (i % 2 ? c.toLowerCase() : c.toUpperCase())).join('');
      const requesters = [{ id: me.toLowerCase() }, { id: ` ${me.toUpperCase()} ` }, { id: mixed }, { id: 'someone-else', email: d.email(me).toUpperCase() }];
      for (const requester of requesters) {
        const a = await d.submit('send_email', { requester });
        await d.awaitingReview(a.id);
        await approve(me, a.id);
        await waitFor(async () => (await refusals(a.id)).length === 1, { what: `the refusal of ${JSON.stringify(requester)}` });
        expect(await refusals(a.id)).toEqual(['reviewer_is_requester']);
        expect((await d.get(a.id)).status).toBe('pending');
      }
      await d.toldPrivately(me, 'You requested this action');
    });

    it('refuses a click from another tenant’s workspace, auditing it in that tenant only, and tells a workspace no tenant is connected to so', async () => {
      const a = await d.submit('send_email');
      await d.awaitingReview(a.id);
      await approve(d.foreigner, a.id);
      await d.toldPrivately(d.foreigner, 'does not exist in your workspace’s tenant');
      await approve(d.unconnected, a.id);
      await d.toldPrivately(d.unconnected, 'not connected to any Airlock tenant');
      expect((await d.get(a.id)).status).toBe('pending');
      expect(await refusals(a.id)).toEqual([]);
      const globex = await d.query<{ data: Record<string, any> }>("SELECT data FROM audit_events WHERE tenant_id = 'globex' AND kind = 'review_refused' AND data->>'request_id' = $1", [a.id]);
      expect(globex.map((r) => r.data.refused_because)).toEqual(['unknown_action']);
    });

    it('lets exactly one of two simultaneous clicks decide and tells the other who did', async () => {
      const a = await d.submit('send_email');
      await d.awaitingReview(a.id);
      await Promise.all([approve(d.reviewers[0], a.id), deny(d.reviewers[1], a.id, 'racing')]);
      const settled = await until(a.id, (x) => x.status !== 'pending', 'decided');
      expect(settled.reviews).toHaveLength(1);
      const winner = settled.reviews![0]!.reviewer.id;
      const loser = winner === d.reviewers[0] ? d.reviewers[1] : d.reviewers[0];
      expect(await d.toldPrivately(loser, 'Too late')).toContain(d.shown(winner));
    });

    it('answers a click after the decision with who decided, and renders the card again (its update may have been lost)', async () => {
      const a = await d.submit('send_email');
      await d.awaitingReview(a.id);
      await approve(d.reviewers[0], a.id);
      await cardShows(a.id, 'Approved');
      const before = d.cards && (await d.cardViews(a.id)).length;
      await deny(d.reviewers[1], a.id, 'late');
      expect(await d.toldPrivately(d.reviewers[1], 'Too late: this action was already approved')).toContain(d.shown(d.reviewers[0]));
      // A posted card is updated in place, and that update may have been lost; a console page is drawn from the action each time.
      if (before !== undefined) await waitFor(async () => (await d.cardViews(a.id)).length > before, { what: 'the card rendered again' });
      expect(await d.get(a.id)).toMatchObject({ status: 'approved', reviews: [expect.objectContaining({ decision: 'approve' })] });
    });

    it('needs two distinct approvers for a quorum of two, and shows the progress on the card', async () => {
      const a = await d.submit('refund');
      await d.awaitingReview(a.id);
      await approve(d.quorum[0], a.id);
      await until(a.id, (x) => x.reviews?.length === 1, 'the first approval');
      await cardShows(a.id, '1 of 2 approvals', true);
      expect((await d.get(a.id)).status).toBe('pending');
      await approve(d.quorum[0], a.id);
      await d.toldPrivately(d.quorum[0], 'already approved');
      expect((await d.get(a.id)).status).toBe('pending');
      await approve(d.quorum[1], a.id);
      const approved = await until(a.id, (x) => x.status === 'approved', 'approved by two');
      expect(approved.reviews?.map((r) => r.reviewer.id)).toEqual([...d.quorum]);
      await cardShows(a.id, 'Approved');
    });

    it('approves with changes: the agent gets approved_args as a new version, bound by a keyed args_sha256', async () => {
      const a = await d.submit('send_email', { args: { to: 'x@example.com', subject: 'Old subject' } });
      await d.awaitingReview(a.id);
      await d.click(d.reviewers[0], a.id, { verb: 'edit', edits: { subject: 'New subject' }, reason: 'fixed the subject' });
      const approved = await until(a.id, (x) => x.status === 'approved', 'approved with changes');
      expect(approved).toMatchObject({ args_version: 2, approved_args: { to: 'x@example.com', subject: 'New subject' } });
      expect(approved.args_sha256).not.toBe(a.args_sha256);
      expect(approved.reviews).toEqual([expect.objectContaining({ decision: 'approve', reason: 'fixed the subject', args_version: 2, args_sha256: approved.args_sha256 })]);
      // Keyed: not the plain SHA-256 anyone could compute (and so guess redacted values from).
      expect(approved.args_sha256).not.toBe(sha256Hex(canonicalJson(approved.approved_args)));
      // The consequence describes the arguments that will run, not the ones first asked for.
      await cardShows(a.id, 'with subject “New subject”');
    });

    it('binds approvals to the arguments the approver saw: an edit makes a new version, approvals of the old one stop counting, and a click on the old card is refused', async () => {
      const a = await d.submit('big_refund', { args: { amount_cents: 5000, memo: 'duplicate charge' } });
      await d.awaitingReview(a.id);
      await approve(d.quorum[0], a.id, 1);
      await until(a.id, (x) => x.reviews?.length === 1, 'the first approval');
      await d.click(d.quorum[1], a.id, { verb: 'edit', edits: { amount_cents: '49999' }, reason: 'the full amount' });
      const v2 = await until(a.id, (x) => x.args_version === 2, 'version 2');
      // The first approver approved 5,000 cents, not 49,999: one approval of each is not a quorum of two.
      expect(v2).toMatchObject({ status: 'pending', approved_args: { amount_cents: 49999, memo: 'duplicate charge' } });
      const changed = await cardShows(a.id, 'What changed', true);
      expect(changed.text).toContain('49999');
      expect(changed.text).toContain(d.shown(d.quorum[1]));
      await approve(d.quorum[0], a.id, 1);
      await d.toldPrivately(d.quorum[0], 'arguments changed');
      expect((await d.get(a.id)).status).toBe('pending');
      await approve(d.quorum[0], a.id, 2);
      const approved = await until(a.id, (x) => x.status === 'approved', 'approved on version 2');
      const counted = approved.reviews!.filter((r) => r.decision === 'approve' && r.args_version === 2);
      expect(counted.map((r) => r.reviewer.id).sort()).toEqual([...d.quorum].sort());
      expect(counted.every((r) => r.args_sha256 === approved.args_sha256)).toBe(true);
      expect(approved.reviews!.find((r) => r.args_version === 1)!.args_sha256).not.toBe(approved.args_sha256);
    });

    it('ends an approval nobody decides in time by its timeout rule, audits it and says so on the card', async () => {
      const a = await d.submit('quick_deny');
      await d.awaitingReview(a.id);
      const expired = await until(a.id, (x) => x.status === 'expired', 'expired');
      expect(expired).toMatchObject({ decision: 'deny', mode: 'off' });
      expect(expired.outcome_detail).toContain('deadline');
      expect((await audit(a.id)).map((e) => e.kind)).toContain('expired');
      await cardShows(a.id, 'Expired');
    });

    describe('chat delivery', () => {
      // The web console posts no card: its inbox and action pages are drawn from the action on each request.
      beforeEach((ctx) => ctx.skip(!d.cards, `${platform} posts no cards to a chat platform`));
      const cards = () => d.cards!;

      it.each(['place_gone', 'not_a_member'] as const)(
        'ends the action by its timeout rule at once when the platform refuses its card (%s), with a card_failed event and no retry',
        async (kind) => {
          cards().makeNextPostFail(kind);
          // send_email waits an hour: ending now can only be the refused card.
          const a = await d.submit('send_email');
          const ended = await until(a.id, (x) => x.status === 'expired', 'the action ended by its timeout rule');
          expect(ended).toMatchObject({ decision: 'fallback', mode: 'draft_write' });
          expect((await audit(a.id)).map((e) => e.kind)).toContain('card_failed');
          expect(cards().postAttempts(a.id)).toHaveLength(1);
        },
      );

      it("waits out a 429's Retry-After for the card and for the next card to the same place, then posts each once", { timeout: 30_000 }, async () => {
        cards().makeNextPostFail({ rateLimited: 2 });
        const first = await d.submit('refund');
        const limited = await waitFor(() => cards().postAttempts(first.id).find((p) => p.status === 429), { what: 'the 429' });
        const next = await d.submit('refund');
        await d.awaitingReview(first.id);
        await d.awaitingReview(next.id);
        const allowed = limited.at + 1_500;
        expect(cards().postAttempts(first.id).map((p) => p.status)).toEqual([429, 200]);
        expect(cards().postAttempts(first.id)[1]!.at).toBeGreaterThanOrEqual(allowed);
        // Remembered for the place: the next card did not try the platform before the Retry-After passed.
        expect(cards().postAttempts(next.id).map((p) => p.status)).toEqual([200]);
        expect(cards().postAttempts(next.id)[0]!.at).toBeGreaterThanOrEqual(allowed);
      });

      it('with credentials the platform refuses at start: listens, decides, names the setting to fix without printing its value, and ends a queued approval by its timeout rule at once', { timeout: 90_000 }, async () => {
        const r = await cards().startRefused();
        try {
          const state = await waitFor(async () => {
            const s = await r.readyz();
            return s.chat.startsWith('failing') ? s : undefined;
          }, { what: 'the chat state in /readyz', timeoutMs: 30_000 });
          expect(state.status).toBe(200);
          expect(state.chat).toContain(r.variable);
          const queued = await r.submit('send_email');
          expect(queued.status).toBe('pending');
          // send_email waits an hour and falls back on timeout: an undeliverable card ends it that way now.
          const ended = await waitFor(async () => {
            const a = await r.get(queued.id);
            return a.status === 'expired' ? a : undefined;
          }, { what: 'the undeliverable approval to end', timeoutMs: 20_000 });
          expect(ended).toMatchObject({ decision: 'fallback', mode: 'draft_write' });
          expect(r.output()).toContain(r.variable);
          expect(r.output()).not.toContain(r.secret);
        } finally {
          await r.close();
        }
      });
    });

    it('carries out an admin command: a denied tool ends its pending approvals and their cards say so', async () => {
      const a = await d.submit('send_email');
      await d.awaitingReview(a.id);
      try {
        expect(await d.admin('deny-tool send_email conformance drill')).toMatch(/\d+ pending approval\(s\) ended/);
        await until(a.id, (x) => x.status === 'denied', 'denied by the admin');
        await cardShows(a.id, 'conformance drill');
      } finally {
        await d.admin('allow-tool send_email');
      }
    });

    it('ends a pending approval once a policy reload takes its tool from the agent: the card and the agent say why, and a later click cannot approve it', async () => {
      const a = await d.submit('send_email');
      await d.awaitingReview(a.id);
      try {
        await d.reloadPolicy((p) => p.replace('tools: [send_email, refund', 'tools: [refund'));
        const ended = await until(a.id, (x) => x.status === 'denied', 'denied by the reload');
        expect(ended.reasons?.at(-1)).toContain('send_email is no longer in the tool list of agent bot');
        await cardShows(a.id, 'no longer in the tool list');
        await approve(d.reviewers[0], a.id);
        await d.toldPrivately(d.reviewers[0], 'Too late');
        expect((await d.get(a.id)).status).toBe('denied');
      } finally {
        await d.reloadPolicy((p) => p);
      }
    });
  });
}
