import pg from 'pg';
import type { Logger } from 'pino';

type Handler = (payload: string) => void;

/**
 * One dedicated LISTEN connection per process, shared by every subscriber.
 * Reconnects with backoff; after a reconnect every handler gets a '*' payload,
 * because notifications sent while disconnected are lost and caches must be
 * dropped.
 */
export class PgNotifications {
  private client: pg.Client | undefined;
  private readonly handlers = new Map<string, Set<Handler>>();
  private closed = false;
  private retryMs = 100;

  constructor(private readonly connectionString: string, private readonly log: Logger) {}

  on(channel: string, handler: Handler): void {
    let set = this.handlers.get(channel);
    if (!set) {
      set = new Set();
      this.handlers.set(channel, set);
    }
    set.add(handler);
  }

  /** `on` for a channel first subscribed after `start`: resolves once the channel is listened to. */
  async listen(channel: string, handler: Handler): Promise<void> {
    const isNew = !this.handlers.has(channel);
    this.on(channel, handler);
    if (isNew && this.client) await this.client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
  }

  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString, keepAlive: true });
    client.on('notification', (msg) => {
      for (const h of this.handlers.get(msg.channel) ?? []) h(msg.payload ?? '');
    });
    client.on('error', (err) => {
      this.log.warn({ err: err.message }, 'notification connection lost; reconnecting');
      void this.reconnect(client);
    });
    client.on('end', () => void this.reconnect(client));
    await client.connect();
    for (const channel of this.handlers.keys()) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    this.client = client;
    this.retryMs = 100;
  }

  private async reconnect(dead: pg.Client): Promise<void> {
    if (this.closed || this.client !== dead) return;
    this.client = undefined;
    dead.removeAllListeners();
    dead.on('error', () => undefined);
    dead.end().catch(() => undefined);
    while (!this.closed) {
      await new Promise((r) => setTimeout(r, this.retryMs));
      this.retryMs = Math.min(this.retryMs * 2, 5_000);
      try {
        await this.start();
        for (const set of this.handlers.values()) for (const h of set) h('*');
        return;
      } catch {
        // keep trying until closed
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const c = this.client;
    this.client = undefined;
    if (c) {
      c.removeAllListeners();
      c.on('error', () => undefined);
      await c.end().catch(() => undefined);
    }
  }
}
