import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CardJobRef } from '../../src/ports/approval-jobs.js';
import { makeReconcile } from '../../src/usecases/reconcile.js';
import { runCli } from '../support/run-cli.js';
import { slashCommand } from '../support/slack-command.js';
import { startSlackAirlock, type SlackTestAirlock } from '../support/slack-airlock.js';

/**
 * The reconciler against the real action store: a card whose re-enqueue fails
 * (Redis slow or gone for a moment) is tried again on the next tick, not a
 * recheck period later, and the failure does not stop the tick's deadlines.
 */
let t: SlackTestAirlock;
beforeAll(async () => {
  // API only: nothing but this test's reconciler touches the actions.
  t = await startSlackAirlock({ processors: false });
});
afterAll(() => t.close());

describe('reconcile', () => {
  it('retries a card whose re-enqueue failed on the next tick; one failing item holds up no other', async () => {
    const a = await t.submit('send_email', { args: { to: 'x@example.com', subject: 's' } });
    const b = await t.submit('short_deny');
    const c = await t.submit('short_deny');
    const start = Date.now();
    let at = start + 60 * 60_000; // past both rounds' card grace and short_deny's deadline
    const reposted: CardJobRef[] = [];
    const expired: string[] = [];
    let failA = true;
    const reconcile = makeReconcile({
      actions: t.core.actions,
      clock: { now: () => new Date(at) },
      repostCard: async (ref) => {
        if (ref.actionId === a.id && failA) throw new Error('queue write timed out');
        reposted.push(ref);
      },
      // The first deadline fails: the ones after it are still applied.
      expire: async (ref) => {
        expired.push(ref.actionId);
        if (expired.length === 1) throw new Error('database busy');
      },
      remind: async () => undefined,
      deliverCallback: async () => undefined,
      writeOwedAudit: async () => 0,
    });

    const first = await reconcile();
    expect(first.failed).toBe(2);
    expect(reposted.map((r) => r.actionId).sort()).toEqual([b.id, c.id].sort());
    // All three are past their deadline (the hour is past send_email's too); the first failure stopped none.
    expect(expired.sort()).toEqual([a.id, b.id, c.id].sort());

    // One second later (well inside the recheck period): only the failed card is due again.
    failA = false;
    at += 1_000;
    reposted.length = 0;
    const second = await reconcile();
    expect(second).toMatchObject({ cards: 1, failed: 0 });
    expect(reposted).toEqual([expect.objectContaining({ actionId: a.id, platform: 'slack' })]);

    // Enqueued this time: left alone until the recheck.
    at += 1_000;
    reposted.length = 0;
    expect((await reconcile()).cards).toBe(0);
  });

  it('drops the owed cards of an action decided before they were posted, without posting them', async () => {
    const a = await t.submit('send_email', { args: { to: 'x@example.com', subject: 's' } });
    expect(await slashCommand(t, 'kill-agent bot cleanup')).toContain('pending approval(s) ended');
    const reposted: CardJobRef[] = [];
    const reconcile = makeReconcile({
      actions: t.core.actions,
      clock: { now: () => new Date(Date.now() + 60 * 60_000) },
      repostCard: async (ref) => void reposted.push(ref),
      expire: async () => undefined,
      remind: async () => undefined,
      deliverCallback: async () => undefined,
      writeOwedAudit: async () => 0,
    });
    expect((await reconcile()).cards).toBe(0);
    expect(reposted).toEqual([]);
    const { rows } = await t.core.pool.query('SELECT count(*)::int AS n FROM card_debts WHERE action_id = $1', [a.id]);
    expect(rows[0].n).toBe(0);
    await slashCommand(t, 'revive-agent bot');
  });

  it('writes the audit events an admin change still owes (its follow-up cut off), exactly once however many processes try', async () => {
    const { ids, at } = await endLeavingAuditOwed('owed');
    const events = async () =>
      (await t.core.pool.query("SELECT action_id, at, data FROM audit_events WHERE kind = 'admin_change' AND action_id = ANY($1) ORDER BY id", [ids])).rows;
    expect(await events()).toEqual([]);

    const tick = () =>
      makeReconcile({
        actions: t.core.actions,
        clock: { now: () => new Date() },
        repostCard: async () => undefined,
        expire: async () => undefined,
        remind: async () => undefined,
        deliverCallback: async () => undefined,
        writeOwedAudit: async () => (await t.core.overrides.writeOwedAudit()).reduce((n, p) => n + p.events, 0),
      })();
    // Two processes' reconcilers at once: the debt is paid by one of them.
    const [a, b] = await Promise.all([tick(), tick()]);
    expect(a.auditEvents + b.auditEvents).toBe(2);
    expect(a.failed + b.failed).toBe(0);
    const written = await events();
    expect(written.map((e) => e.action_id).sort()).toEqual([...ids].sort());
    for (const e of written) {
      expect(e.at).toEqual(at);
      expect(e.data).toMatchObject({ status: 'denied', rule: 'overrides.kill', cause: 'kill-agent', reason: 'owed', admin: { id: 'U0ADMIN' } });
    }
    expect((await tick()).auditEvents).toBe(0);
    expect(await events()).toHaveLength(2);
    await slashCommand(t, 'revive-agent bot');
  });

  it('`audit export` and `audit verify` first write the events an admin change still owes', async () => {
    const { ids } = await endLeavingAuditOwed('owed to the CLI');
    // No reconciler runs here (API only): only the CLI can write them.
    const out = await runCli(['audit', 'export', '--tenant', 'acme'], { DATABASE_URL: t.db.url, POLICY_FILE: 'test/fixtures/approval-policy.yml' });
    expect(out.code).toBe(0);
    const ended = out.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.kind === 'admin_change' && ids.includes(l.data.request_id));
    expect(ended).toHaveLength(2);
    expect(ended[0].data).toMatchObject({ status: 'denied', cause: 'kill-agent', reason: 'owed to the CLI' });
    expect((await t.core.pool.query('SELECT count(*)::int AS n FROM audit_debts')).rows[0].n).toBe(0);
    const verified = await runCli(['audit', 'verify', '--tenant', 'acme'], { DATABASE_URL: t.db.url, POLICY_FILE: 'test/fixtures/approval-policy.yml' });
    expect(verified.code).toBe(0);
    await slashCommand(t, 'revive-agent bot');
  });
});

/**
 * Kills agent bot with two approvals pending, as a process that dies right
 * after the change commits leaves it: both ended, their audit events owed.
 */
async function endLeavingAuditOwed(reason: string) {
  const ids = [(await t.submit('send_email', { args: { to: 'x@example.com', subject: 's' } })).id, (await t.submit('short_deny')).id];
  const at = new Date();
  const { ended } = await t.core.overrides.update(
    'acme',
    (o) => ({ ...o, killedAgents: new Map([...o.killedAgents, ['bot', { by: 'test', at: at.toISOString() }]]) }),
    () => ({ tenant: 'acme', kind: 'admin_change', at, data: { command: 'kill-agent bot' } }),
    () => ({
      match: { agent: 'bot' },
      ends: new Map(),
      otherwise: { status: 'denied', decision: 'deny', mode: 'off', rule: 'overrides.kill', detail: 'agent bot killed (test)' },
      policyVersion: 'test',
      at,
      audit: { admin: { id: 'U0ADMIN' }, cause: 'kill-agent', reason },
      newest: 0,
    }),
  );
  expect(ended.count).toBe(2);
  return { ids, at };
}
