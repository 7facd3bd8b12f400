import type { Logger } from 'pino';
import type { ChatPlatform } from '../ports/chat-platform.js';

const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 60_000;

/**
 * Runs each chat platform's start-up check until it passes, backing off from
 * 1 s to a minute, and keeps its state for /readyz. A platform that cannot
 * start (a revoked token, no route to Slack) never takes the gate down:
 * intake keeps deciding, cards that cannot be delivered follow the
 * undeliverable-card rule, and the log names the setting to fix.
 */
export function watchPlatforms(platforms: readonly ChatPlatform[], log: Logger) {
  const states = new Map<string, string>(platforms.map((p) => [p.name, 'starting']));
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;

  const run = (platform: ChatPlatform, delayMs: number) => {
    platform.check().then(
      () => {
        if (states.get(platform.name) !== 'ok') log.info({ platform: platform.name }, 'chat platform connected');
        states.set(platform.name, 'ok');
      },
      (err: Error) => {
        const detail = `failing: ${err.message}`;
        if (states.get(platform.name) !== detail) log.error({ platform: platform.name, retryInMs: delayMs }, `${platform.name} cannot start: ${err.message}`);
        states.set(platform.name, detail);
        if (stopped) return;
        const timer = setTimeout(() => {
          timers.delete(timer);
          run(platform, Math.min(delayMs * 2, MAX_RETRY_MS));
        }, delayMs);
        timer.unref();
        timers.add(timer);
      },
    );
  };
  for (const p of platforms) run(p, FIRST_RETRY_MS);

  return {
    /** Each platform's state: `ok`, `starting`, or `failing: <what to fix>`. */
    states: (): Record<string, string> => Object.fromEntries(states),
    stop: () => {
      stopped = true;
      for (const t of timers) clearTimeout(t);
    },
  };
}
