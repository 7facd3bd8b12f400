import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One event as a batch carries it: the shape `airlock audit export` prints. */
export interface SinkEvent {
  id: string;
  seq: number;
  tenant: string;
  kind: string;
  action_id: string | null;
  at: string;
  data: unknown;
  block: number;
  hash: string;
}

interface Batch {
  tenant: string;
  first_seq: number;
  last_seq: number;
  events: SinkEvent[];
}

/**
 * `ok` stores and answers 200; `fail` answers 500 and stores nothing;
 * `hold` stores the next batch and leaves its request unanswered until
 * `releaseHeld` (then behaves as `ok`); `refused` is not listening at all.
 */
type Mode = 'ok' | 'fail' | 'hold' | 'refused';

/**
 * A SIEM's HTTP collector, written independently of Airlock's code: it checks
 * `Airlock-Signature` (t=<unix>,v1=<hex HMAC-SHA256 of "t.body">) on the raw
 * body, then keeps every event by (tenant, seq) and counts deliveries, so a
 * test can see duplicates (allowed: delivery is at least once), gaps and
 * batches that arrive out of chain order (neither allowed).
 */
export class AuditSinkReceiver {
  /** Requests received, whatever the answer. */
  attempts = 0;
  /** Requests whose signature did not verify (answered 401). */
  badSignatures = 0;
  /** Batches that started past the next expected sequence number of their tenant, or whose range does not match their events. */
  readonly orderViolations: string[] = [];
  /** Deliveries per `tenant/seq`. */
  readonly deliveries = new Map<string, number>();
  readonly events = new Map<string, SinkEvent>();
  private mode: Mode = 'ok';
  private held: ServerResponse | undefined;
  private readonly contiguous = new Map<string, number>();

  private constructor(private readonly server: ReturnType<typeof createServer>, readonly port: number, private readonly secret: string) {}

  static async start(secret: string): Promise<AuditSinkReceiver> {
    let receiver: AuditSinkReceiver | undefined;
    const server = createServer((req, res) => void receiver!.handle(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    receiver = new AuditSinkReceiver(server, (server.address() as AddressInfo).port, secret);
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/airlock/audit`;
  }

  /** Distinct sequence numbers received for `tenant`, ascending. */
  seqs(tenant: string): number[] {
    return [...this.events.values()].filter((e) => e.tenant === tenant).map((e) => e.seq).sort((a, b) => a - b);
  }

  duplicates(): number {
    return [...this.deliveries.values()].reduce((sum, n) => sum + n - 1, 0);
  }

  isHolding(): boolean {
    return this.held !== undefined;
  }

  /** Stops listening and drops open connections: the sender's next connection is refused. */
  async refuse(): Promise<void> {
    this.mode = 'refused';
    await new Promise<void>((r) => {
      this.server.close(() => r());
      this.server.closeAllConnections();
    });
  }

  /** Listens again on the same port, answering as `mode` says. */
  async answer(mode: Exclude<Mode, 'refused'>): Promise<void> {
    if (this.mode === 'refused') await new Promise<void>((r) => this.server.listen(this.port, '127.0.0.1', r));
    this.mode = mode;
  }

  /** Answers the held request (its sender may be gone by now) and goes back to `ok`. */
  releaseHeld(): void {
    this.held?.writeHead(200).end();
    this.held = undefined;
    this.mode = 'ok';
  }

  async close(): Promise<void> {
    this.held?.destroy();
    if (this.mode === 'refused') return;
    await new Promise<void>((r) => {
      this.server.close(() => r());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    this.attempts += 1;
    if (!this.verified(String(req.headers['airlock-signature'] ?? ''), body)) {
      this.badSignatures += 1;
      res.writeHead(401).end();
      return;
    }
    if (this.mode === 'fail') {
      res.writeHead(500).end();
      return;
    }
    this.store(JSON.parse(body.toString('utf8')) as Batch);
    if (this.mode === 'hold' && !this.held) {
      this.held = res;
      return;
    }
    res.writeHead(200).end();
  }

  private verified(header: string, body: Buffer): boolean {
    const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
    const t = Number(parts.t);
    if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > 300 || !/^[0-9a-f]{64}$/.test(parts.v1 ?? '')) return false;
    const expected = createHmac('sha256', this.secret).update(`${t}.`).update(body).digest();
    return timingSafeEqual(expected, Buffer.from(parts.v1!, 'hex'));
  }

  private store(batch: Batch): void {
    const seqs = batch.events.map((e) => e.seq);
    const next = (this.contiguous.get(batch.tenant) ?? 0) + 1;
    if (batch.first_seq > next) this.orderViolations.push(`${batch.tenant}: a batch from ${batch.first_seq} arrived while ${next} was missing`);
    if (seqs[0] !== batch.first_seq || seqs.at(-1) !== batch.last_seq || seqs.some((s, i) => i > 0 && s !== seqs[i - 1]! + 1)) {
      this.orderViolations.push(`${batch.tenant}: batch ${batch.first_seq}..${batch.last_seq} holds ${seqs.join(',')}`);
    }
    for (const e of batch.events) {
      if (e.tenant !== batch.tenant) this.orderViolations.push(`an event of ${e.tenant} in a batch of ${batch.tenant}`);
      const key = `${e.tenant}/${e.seq}`;
      this.deliveries.set(key, (this.deliveries.get(key) ?? 0) + 1);
      this.events.set(key, e);
    }
    this.contiguous.set(batch.tenant, Math.max(this.contiguous.get(batch.tenant) ?? 0, batch.last_seq));
  }
}
