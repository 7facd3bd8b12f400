import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { waitFor } from '../support/wait-for.js';

/**
 * Slack's Socket Mode side, for the real Bolt SocketModeClient: it answers the
 * WebSocket the client opens with the URL from apps.connections.open, says
 * hello, sends envelopes and records the acks.
 */
export class FakeSocketMode {
  private readonly wss: WebSocketServer;
  private socket: WebSocket | undefined;
  private readonly acks = new Map<string, unknown>();

  constructor(server: Server, readonly path = '/socket-mode') {
    this.wss = new WebSocketServer({ server, path });
    this.wss.on('connection', (ws) => {
      this.socket = ws;
      ws.on('message', (data) => {
        try {
          const msg = JSON.parse(String(data)) as { envelope_id?: string; payload?: unknown };
          if (msg.envelope_id) this.acks.set(msg.envelope_id, msg.payload ?? null);
        } catch {
          // not an ack
        }
      });
      ws.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0AIRLOCK' }, debug_info: { host: 'fake' } }));
    });
  }

  get connected(): boolean {
    return this.socket?.readyState === 1;
  }

  /** Sends one envelope and resolves with the client's ack payload. */
  async send(type: 'interactive' | 'slash_commands', payload: unknown, timeoutMs = 5_000): Promise<unknown> {
    await waitFor(() => this.connected, { timeoutMs, what: 'the Socket Mode connection' });
    const envelopeId = randomUUID();
    this.socket!.send(JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: type === 'slash_commands' }));
    await waitFor(() => this.acks.has(envelopeId), { timeoutMs, what: `ack of ${type}` });
    return this.acks.get(envelopeId);
  }

  close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    return new Promise((r) => this.wss.close(() => r()));
  }
}
