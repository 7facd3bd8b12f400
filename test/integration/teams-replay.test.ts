import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIVITY_SLOT_MS, PgSeenActivities } from '../../src/infra/postgres/seen-activities.js';
import { startTeamsAirlock, teamsActivity, type TeamsTestAirlock } from '../support/teams-airlock.js';
import { waitFor } from '../support/wait-for.js';

/**
 * A Bot Framework channel token does not sign the activity it comes with and
 * stays valid for about an hour: within it, a captured activity could be sent
 * again with its token. Every activity is handled once, by whichever process
 * sees it first; a replay is answered 200 (Teams expects a 2xx) and not handled.
 */
let t: TeamsTestAirlock;
beforeAll(async () => {
  t = await startTeamsAirlock();
}, 90_000);
afterAll(() => t?.close());

const count = async (sql: string, params: unknown[] = []) => {
  const c = new pg.Client({ connectionString: t.db.url });
  await c.connect();
  try {
    return (await c.query<{ n: number }>(sql, params)).rows[0]!.n;
  } finally {
    await c.end();
  }
};
const admin = (text: string) => teamsActivity('message-admin-command', t.fake, { text: `<at>Airlock</at> ${text}` });
/** The Authorization header Bot Framework sent with an activity, as an attacker would capture it. */
const capturedToken = (activity: Record<string, unknown>) => ({ header: `Bearer ${t.fake.channelToken({ serviceUrl: activity.serviceUrl as string })}` });
/** Sends an activity as the only one in flight, so the next connector reply is its answer. */
const command = async (activity: Record<string, any>, auth?: { header: string }) => {
  t.fake.reset();
  return t.send(activity, auth);
};
const reply = async () => String((await t.fake.waitForCall('reply')).body.text);

describe('replayed Teams activities', () => {
  it('refuses a replayed @Airlock revive-agent, on another process too: a captured revive cannot undo a later kill-agent', async () => {
    expect((await command(admin('kill-agent bot compromised'))).status).toBe(200);
    expect(await reply()).toContain('Killed agent');

    const revive = admin('revive-agent bot');
    const token = capturedToken(revive);
    expect((await command(revive, token)).status).toBe(200);
    expect(await reply()).toContain('may act again');
    expect((await command(admin('kill-agent bot compromised again'))).status).toBe(200);
    expect(await reply()).toContain('Killed agent');

    // Replayed, with its still-valid token, to the same process: acknowledged, not run, nothing posted.
    t.fake.reset();
    const again = await t.send(revive, token);
    expect(again.status).toBe(200);
    expect(again.body).toBeUndefined();

    // And to another process of the same deployment.
    const other = await startTeamsAirlock({ alongside: t });
    try {
      const replayed = await other.send(revive, token);
      expect(replayed.status).toBe(200);
      expect(replayed.body).toBeUndefined();
    } finally {
      await other.close();
    }

    expect((await t.submit('send_email', { args: { to: 'jane@example.com', subject: 'Refund' } })).status).toBe('decided');
    expect(t.fake.calls('reply')).toEqual([]);
    expect(await count("SELECT count(*)::int AS n FROM audit_events WHERE kind = 'admin_change' AND data::text LIKE '%revive-agent%'")).toBe(1);

    // A new command, a new activity: it runs.
    await command(admin('revive-agent bot'));
    expect(await reply()).toContain('may act again');
  }, 120_000);

  it('refuses a replayed approve click: one clicked activity is one review', async () => {
    const a = await t.submit('refund', { args: { amount_cents: 500 } });
    const click = teamsActivity('invoke-approve', t.fake, { actionId: a.id, from: { id: '29:fin1', aadObjectId: 'aad-fin-1', name: 'Fin 1' } });
    const token = capturedToken(click);
    const first = await t.send(click, token);
    expect(JSON.stringify(first.body.value)).toContain('1 of 2 approvals');
    const replay = await t.send(click, token);
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ type: 'application/vnd.microsoft.activity.message', value: expect.stringContaining('already received this click') });
    // A second, genuine click by another approver completes the quorum; the replay added nothing before it.
    await t.send(teamsActivity('invoke-approve', t.fake, { actionId: a.id, from: { id: '29:fin2', aadObjectId: 'aad-fin-2', name: 'Fin 2' } }));
    await waitFor(async () => (await t.get(a.id)).status === 'approved', { what: 'the quorum' });
    expect(await count("SELECT count(*)::int AS n FROM audit_events WHERE action_id = $1 AND kind LIKE 'review%'", [a.id])).toBe(2);
  });

  it('refuses an authentic activity without an id with 400, and handles none of it', async () => {
    const activity = admin('kill-agent bot no id');
    delete activity.id;
    t.fake.reset();
    const res = await t.send(activity);
    expect(res.status).toBe(400);
    expect(t.fake.calls()).toEqual([]);
    expect(await count("SELECT count(*)::int AS n FROM audit_events WHERE data::text LIKE '%no id%'")).toBe(0);
  });
});

describe('the record of activities seen', () => {
  it('empties only the hour that can hold nothing still valid, and keeps refusing replays in the live ones', async () => {
    const pool = new pg.Pool({ connectionString: t.db.url, max: 2 });
    try {
      const hour = Math.floor(Date.now() / ACTIVITY_SLOT_MS);
      let now = new Date(hour * ACTIVITY_SLOT_MS + 30 * 60_000);
      const seen = new PgSeenActivities(pool, { now: () => now });
      const key = (n: number) => Buffer.alloc(32, n);
      // Valid until the hour just past (expired), this hour, and the next two (the furthest a token reaches).
      const until = (offset: number) => new Date((hour + offset) * ACTIVITY_SLOT_MS + 10 * 60_000);
      for (const offset of [-1, 0, 1, 2]) expect(await seen.firstTime(key(20 + offset), until(offset))).toBe(true);
      expect(await seen.firstTime(key(20), until(0))).toBe(false);

      await seen.expire();
      for (const offset of [0, 1, 2]) expect(await seen.firstTime(key(20 + offset), until(offset))).toBe(false);
      expect(await seen.firstTime(key(19), until(-1))).toBe(true);

      // Near an hour's edge nothing is emptied: processes' clocks may differ by up to a minute.
      now = new Date((hour + 1) * ACTIVITY_SLOT_MS + 30_000);
      await new PgSeenActivities(pool, { now: () => now }).expire();
      for (const offset of [0, 1, 2]) expect(await seen.firstTime(key(20 + offset), until(offset))).toBe(false);
    } finally {
      await pool.end();
    }
  });
});
