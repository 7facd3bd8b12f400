import type { ActionEvents } from '../../ports/action-events.js';
import type { PgNotifications } from './notifications.js';

/** ActionEvents over the `airlock_action` NOTIFY channel. */
export class PgActionEvents implements ActionEvents {
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(notifications: PgNotifications) {
    notifications.on('airlock_action', (id) => {
      if (id === '*') {
        for (const set of this.waiters.values()) for (const wake of set) wake();
        return;
      }
      for (const wake of this.waiters.get(id) ?? []) wake();
    });
  }

  waitForChange(actionId: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      let set = this.waiters.get(actionId);
      if (!set) {
        set = new Set();
        this.waiters.set(actionId, set);
      }
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        set.delete(done);
        if (set.size === 0) this.waiters.delete(actionId);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal?.addEventListener('abort', done, { once: true });
      set.add(done);
    });
  }
}
