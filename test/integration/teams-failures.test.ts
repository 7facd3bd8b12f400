import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTeamsAirlock, type TeamsTestAirlock } from '../support/teams-airlock.js';
import { waitFor } from '../support/wait-for.js';

/**
 * A Teams bot that cannot get its token never takes the gate down: the
 * process listens and decides, /readyz and the log name what to check, and
 * queued approvals end by their timeout rule.
 */
const WRONG_PASSWORD = 'not-the-app-password-7f3a';
let t: TeamsTestAirlock;
beforeAll(async () => {
  t = await startTeamsAirlock({ env: { TEAMS_APP_PASSWORD: WRONG_PASSWORD } });
}, 90_000);
afterAll(() => t?.close());

describe('a Teams bot whose login is refused at start', () => {
  it('listens, decides, names the variables to check, and ends queued approvals by their timeout rule', async () => {
    const teamsState = async () => {
      const res = await fetch(`${t.base}/readyz`);
      return { status: res.status, teams: (((await res.json()) as { chat?: Record<string, string> }).chat?.teams ?? '') };
    };
    const state = await waitFor(async () => {
      const s = await teamsState();
      return s.teams.startsWith('failing') ? s : undefined;
    }, { what: 'the Teams state in /readyz' });
    expect(state.status).toBe(200);
    expect(state.teams).toContain('TEAMS_APP_PASSWORD');

    const queued = await t.submit('quick_deny', {}, { waitForCard: false });
    expect(queued.status).toBe('pending');
    const ended = await waitFor(async () => {
      const a = await t.get(queued.id);
      return a.status === 'expired' ? a : undefined;
    }, { what: 'the undeliverable approval to end', timeoutMs: 20_000 });
    expect(ended).toMatchObject({ decision: 'deny', mode: 'off' });
    expect(t.output()).toContain('TEAMS_APP_PASSWORD');
    expect(t.output()).not.toContain(WRONG_PASSWORD);
  });
});
