import { PgLivePolicy, POLICY_RELOAD_CHANNEL } from '../infra/postgres/live-policy.js';
import type { LoadedPolicy } from '../policy/load-policy.js';
import type { Core } from './container.js';

/**
 * A server's side of the live policy: it records each policy it loads (at
 * start and on every successful reload), which the CLI falls back to when the
 * file is broken, and it reloads when `airlock policy reload` asks, on every
 * server process of the database at once. Signals reach one process only,
 * and under `npm start` a SIGHUP sent to npm stops Airlock instead.
 * Returns what stops the recording.
 */
export async function serveLivePolicy(core: Core): Promise<() => void> {
  const live = new PgLivePolicy(core.pool);
  const record = ({ policy, text }: LoadedPolicy) =>
    live.record(policy.fileVersion, text).catch((err: Error) => core.log.error({ err: err.message }, 'could not record the live policy; the CLI may fall back to an older one'));
  await record(core.policy.currentLoaded());
  const stop = core.policy.onReloaded((loaded) => void record(loaded));
  // '*' follows a reconnect of the notification connection: a request sent meanwhile is lost, and its
  // `policy reload` says that no server answered, so nothing is reloaded on a guess.
  await core.notifications.listen(POLICY_RELOAD_CHANNEL, (payload) => {
    if (payload === '*') return;
    core.log.info('policy reload requested');
    void core.reloadPolicy();
  });
  return stop;
}
