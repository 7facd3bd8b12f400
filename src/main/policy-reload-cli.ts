import type { Pool } from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { PgLivePolicy } from '../infra/postgres/live-policy.js';
import type { Policy } from '../domain/policy-model.js';

/** How long `policy reload` waits for a server to say it loaded the file. */
const ANSWER_WAIT_MS = 10_000;
const POLL_MS = 100;

/**
 * `airlock policy reload`: asks every server process on the database to
 * reload its policy file (a Postgres notification, so it reaches all of them
 * and needs no pid), then waits for one to record the load. The caller has
 * already checked the file: an invalid one is never sent, as every server
 * would refuse it and keep its policy anyway.
 */
export async function requestPolicyReload(pool: Pool, checked: Policy): Promise<{ ok: boolean; text: string }> {
  const live = new PgLivePolicy(pool);
  const requestedAt = await live.requestReload();
  const deadline = Date.now() + ANSWER_WAIT_MS;
  while (Date.now() < deadline) {
    const loaded = await live.latest();
    if (loaded && loaded.loadedAt > requestedAt) {
      if (loaded.fileVersion === checked.fileVersion) return { ok: true, text: `reloaded: the servers run policy version ${loaded.fileVersion}` };
      return {
        ok: false,
        text: `a server reloaded, but runs version ${loaded.fileVersion}, not ${checked.fileVersion} (the file checked here): does its POLICY_FILE name another file?`,
      };
    }
    await sleep(POLL_MS);
  }
  return { ok: false, text: `no server reported loading the file within ${ANSWER_WAIT_MS / 1000}s: is one running on this database? (A server that refused it says why in its log.)` };
}
