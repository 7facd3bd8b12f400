import type { Pool, PoolClient } from 'pg';
import type { AuditCheckpoint, ChainVerification, VerifyOptions } from '../../ports/audit-log.js';
import { AuditChainKey } from './audit-chain-key.js';
import { CHAIN_READ_SETTINGS, copyRows, literal, position } from './audit-chain-rows.js';
import { blockHashOfConcatenated, EventHasher, genesisHash } from './audit-hashes.js';
import type { CopyRow } from './copy-binary-rows.js';

/** Problems listed in full; past this only their number is reported (a rewritten chain can have millions). */
const MAX_PROBLEMS = 1000;
/** Blocks are read a page at a time, a page holding about this many events (memory stays flat). */
const PAGE_EVENTS = 50_000;
const PAGE_BLOCKS = 5_000;

interface Position {
  xid: number;
  id: number;
}

const after = (a: Position, b: Position) => a.xid > b.xid || (a.xid === b.xid && a.id > b.id);

/** A block as `verify` reads it: the listed ids (8 bytes each) and hashes (32 bytes each) as one buffer apiece. */
interface BlockRow {
  block: number;
  first_seq: number | null;
  prev_hash: string | null;
  hash: string | null;
  mac: string | null;
  last_xid: string;
  last_id: number;
  ids: Buffer | null;
  hashes: Buffer | null;
  /** False when some listed hash is not 32 bytes long (the concatenation is then meaningless). */
  hashes_ok: boolean;
}

const BLOCK_SELECT = `
  SELECT block::float8 AS block, first_seq::float8 AS first_seq, prev_hash, hash, mac, last_xid::text AS last_xid, last_id::float8 AS last_id,
    (SELECT string_agg(int8send(i), ''::bytea ORDER BY o) FROM unnest(event_ids) WITH ORDINALITY AS u(i, o)) AS ids,
    (SELECT string_agg(h, ''::bytea ORDER BY o) FROM unnest(event_hashes) WITH ORDINALITY AS u(h, o)) AS hashes,
    (SELECT COALESCE(bool_and(octet_length(h) = 32), true) FROM unnest(event_hashes) AS u(h)) AS hashes_ok
  FROM audit_blocks`;

/** Events between two watermarks, in sealing order (an index range scan). Column order is what `RangeWalk.event` reads. */
const eventsQuery = (t: string, lower: Position, upper: Position) => `
  SELECT e.xid, e.id, e.kind, e.action_id, e.at, e.data FROM audit_events e
  WHERE e.tenant_id = ${t} AND (e.xid, e.id) > ${position(lower)} AND (e.xid, e.id) <= ${position(upper)}
  ORDER BY e.tenant_id, e.xid, e.id`;

/** What a walk over a contiguous range of blocks found; ranges are stitched together afterwards. */
interface WalkResult {
  first?: { block: number; firstSeq: number | null; prevHash: string | null };
  last?: { block: number; seq: number; hash: string | null; watermark: Position };
  checked: number;
  macFailures: number;
  blocks: number;
  problems: string[];
  problemCount: number;
}

/**
 * Walks a range of blocks in order, with the tenant's events read by
 * watermark range: a block must list exactly the events between the previous
 * block's watermark and its own, in that order. Checks, entirely in this
 * process, each event's content against the hash listed for it, each block's
 * hash, MAC, number, first sequence number, watermark and link to the
 * previous block. Memory: one block's events (ids and hashes) at a time.
 */
class RangeWalk {
  readonly result: WalkResult = { checked: 0, macFailures: 0, blocks: 0, problems: [], problemCount: 0 };
  private readonly hasher: EventHasher;
  private prev: { block: number; seq: number; hash: string | null; watermark: Position } | undefined;
  /** The events read for the block being walked (reused buffers). */
  private count = 0;
  private ids = new Float64Array(0);
  private xids = new Float64Array(0);
  private hashes = Buffer.alloc(0);

  constructor(private readonly tenant: string, private readonly key: AuditChainKey, private lower: Position) {
    this.hasher = new EventHasher(tenant);
  }

  problem(text: string): void {
    this.result.problemCount += 1;
    if (this.result.problems.length < MAX_PROBLEMS) this.result.problems.push(text);
  }

  /** One page of blocks: their events are read with one COPY, from the last watermark to the page's last. */
  async page(client: PoolClient, t: string, blocks: BlockRow[]): Promise<void> {
    let i = 0;
    const watermarks = blocks.map((b) => ({ xid: Number(b.last_xid), id: b.last_id }));
    // A watermark that goes back (tampered) must not lose events: the range ends at the highest.
    const upper = watermarks.reduce((a, b) => (after(b, a) ? b : a), this.lower);
    await copyRows(client, eventsQuery(t, this.lower, upper), (r) => {
      const xid = r.int8(0);
      const id = r.int8(1);
      while (i < blocks.length && (xid > watermarks[i]!.xid || (xid === watermarks[i]!.xid && id > watermarks[i]!.id))) this.block(blocks[i++]!);
      this.event(r, xid, id);
    });
    while (i < blocks.length) this.block(blocks[i++]!);
    this.lower = upper;
  }

  private event(r: CopyRow, xid: number, id: number): void {
    const k = this.count++;
    if (k >= this.ids.length) {
      const cap = Math.max(64, this.ids.length * 2);
      const ids = new Float64Array(cap);
      ids.set(this.ids);
      const xids = new Float64Array(cap);
      xids.set(this.xids);
      const hashes = Buffer.alloc(cap * 32);
      this.hashes.copy(hashes);
      this.ids = ids;
      this.xids = xids;
      this.hashes = hashes;
    }
    this.ids[k] = id;
    this.xids[k] = xid;
    this.hasher.hashCopyRowInto(id, r, 2, 3, 4, 5, this.hashes, k * 32);
  }

  /** Checks block `b` against the events read since the previous block's watermark. */
  private block(b: BlockRow): void {
    const r = this.result;
    r.blocks += 1;
    const seqOf = (i: number) => (b.first_seq ?? 0) + i;
    const listedIds = b.ids ?? Buffer.alloc(0);
    const listedHashes = b.hashes ?? Buffer.alloc(0);
    const n = Math.max(listedIds.length / 8, b.hashes_ok ? listedHashes.length / 32 : 0);
    if (listedIds.length / 8 !== listedHashes.length / 32 || !b.hashes_ok) this.problem(`block ${b.block}: its lists of event ids and hashes do not match (altered)`);
    const listedId = (i: number) => (i * 8 < listedIds.length ? listedIds.readUInt32BE(i * 8) * 4_294_967_296 + listedIds.readUInt32BE(i * 8 + 4) : Number.NaN);
    const hashMatches = (i: number, k: number) => b.hashes_ok && (i + 1) * 32 <= listedHashes.length && this.hashes.compare(listedHashes, i * 32, i * 32 + 32, k * 32, k * 32 + 32) === 0;

    let same = this.count === n;
    for (let i = 0; same && i < n; i++) same = this.ids[i] === listedId(i);
    if (same) {
      // The block lists exactly the events of its range, in order: compare contents.
      for (let i = 0; i < n; i++) if (!hashMatches(i, i)) this.problem(`event ${listedId(i)} (seq ${seqOf(i)}): content does not match its hash (altered)`);
    } else {
      const found = new Map<number, number>();
      for (let k = 0; k < this.count; k++) found.set(this.ids[k]!, k);
      const used = new Uint8Array(this.count);
      let lastK = -1;
      for (let i = 0; i < n; i++) {
        const id = listedId(i);
        const k = found.get(id);
        if (k === undefined) {
          this.problem(`event ${id} (seq ${seqOf(i)}): missing (events removed)`);
          continue;
        }
        if (used[k]) {
          this.problem(`event ${id} (seq ${seqOf(i)}): listed twice`);
          continue;
        }
        used[k] = 1;
        if (k < lastK) this.problem(`event ${id} (seq ${seqOf(i)}): out of sealing order (its xid changed)`);
        lastK = k;
        if (!hashMatches(i, k)) this.problem(`event ${id} (seq ${seqOf(i)}): content does not match its hash (altered)`);
      }
      for (let k = 0; k < this.count; k++) {
        if (!used[k]) this.problem(`event ${this.ids[k]}: in no block, though older than sealed events (inserted, or its xid changed)`);
      }
    }
    r.checked += n;
    this.count = 0;

    const watermark = { xid: Number(b.last_xid), id: b.last_id };
    if (b.first_seq === null || b.prev_hash === null || b.hash === null) {
      this.problem(`block ${b.block}: incomplete (altered)`);
    } else {
      if (b.hashes_ok && blockHashOfConcatenated(this.tenant, b.block, b.first_seq, b.prev_hash, listedHashes, listedHashes.length / 32) !== b.hash) {
        this.problem(`block ${b.block}: its list of events does not match its hash (altered)`);
      }
      if (!AuditChainKey.same(this.key.blockMac(this.tenant, b.hash, b.last_xid, b.last_id), b.mac)) {
        r.macFailures += 1;
        this.problem(`block ${b.block}: its MAC does not match (rewritten by someone without AIRLOCK_SECRET, or sealed under another secret)`);
      }
    }
    if (this.prev) {
      if (b.block !== this.prev.block + 1) this.problem(`block ${this.prev.block + 1}${b.block > this.prev.block + 2 ? `..${b.block - 1}` : ''} missing (blocks removed)`);
      if (b.first_seq !== this.prev.seq + 1) this.problem(`block ${b.block}: starts at seq ${b.first_seq}, expected seq ${this.prev.seq + 1} (events missing or reordered)`);
      if (b.prev_hash !== this.prev.hash) this.problem(`block ${b.block}: prev_hash does not match the previous block`);
      if (!after(watermark, this.prev.watermark)) this.problem(`block ${b.block}: its watermark does not follow the previous block's (altered)`);
    } else {
      r.first = { block: b.block, firstSeq: b.first_seq, prevHash: b.prev_hash };
    }
    this.prev = { block: b.block, seq: (b.first_seq ?? 0) + n - 1, hash: b.hash, watermark };
    r.last = this.prev;
  }
}

const headerOf = async (client: PoolClient, tenant: string, block: number) =>
  (await client.query<{ block: number; first_seq: number; n: number; hash: string; mac: string; last_xid: string; last_id: number }>(
    `SELECT block::float8 AS block, first_seq::float8 AS first_seq, cardinality(event_ids) AS n, hash, mac, last_xid::text AS last_xid, last_id::float8 AS last_id
     FROM audit_blocks WHERE tenant_id = $1 AND block = $2`,
    [tenant, block],
  )).rows[0];

/** Walks blocks `from`..`to` on `client`, a page at a time, starting after watermark `lower`. */
async function walkRange(client: PoolClient, key: AuditChainKey, tenant: string, t: string, from: number, to: number, lower: Position): Promise<WalkResult> {
  const walk = new RangeWalk(tenant, key, lower);
  let next = from;
  while (next <= to) {
    const first = (await client.query<{ first_seq: number | null }>('SELECT first_seq::float8 AS first_seq FROM audit_blocks WHERE tenant_id = $1 AND block >= $2 ORDER BY block LIMIT 1', [tenant, next])).rows[0];
    const blocks = (await client.query<BlockRow>(
      `${BLOCK_SELECT} WHERE tenant_id = $1 AND block >= $2 AND block <= $3 AND (block = $2 OR first_seq < $4) ORDER BY block LIMIT ${PAGE_BLOCKS}`,
      [tenant, next, to, (first?.first_seq ?? 0) + PAGE_EVENTS],
    )).rows;
    if (blocks.length === 0) break;
    await walk.page(client, t, blocks);
    next = blocks[blocks.length - 1]!.block + 1;
  }
  return walk.result;
}

/**
 * `audit verify`: walks the tenant's chain (or the part after `since`) in one
 * snapshot, over `parallel` connections each reading a range of blocks, and
 * checks it against the checkpoints given. Everything is recomputed here; the
 * database only supplies rows.
 */
export async function verifyChain(pool: Pool, key: AuditChainKey, tenant: string, opts: VerifyOptions & { parallel?: number } = {}): Promise<ChainVerification> {
  const main = await pool.connect();
  const helpers: PoolClient[] = [];
  const problems: string[] = [];
  let problemCount = 0;
  const problem = (text: string) => {
    problemCount += 1;
    if (problems.length < MAX_PROBLEMS) problems.push(text);
  };
  let broken = false;
  try {
    await main.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await main.query(CHAIN_READ_SETTINGS);
    const t = literal(main, tenant);

    // Where the walk starts: the genesis, or a checkpoint whose block still has its hash.
    let start = { block: 0, seq: 0, hash: genesisHash(tenant), watermark: { xid: 0, id: 0 } };
    if (opts.since) {
      const s = opts.since;
      const found = s.block === 0 ? undefined : await headerOf(main, tenant, s.block);
      if (s.block === 0 ? s.hash !== start.hash || s.seq !== 0 : !found || found.hash !== s.hash || found.first_seq + found.n - 1 !== s.seq) {
        problem(`the chain no longer holds the --since checkpoint (block ${s.block}, seq ${s.seq}, taken ${s.at}): the chain was cut or rewritten there`);
      } else if (found && !AuditChainKey.same(key.blockMac(tenant, found.hash, found.last_xid, found.last_id), found.mac)) {
        problem(`block ${s.block}: its MAC does not match (rewritten by someone without AIRLOCK_SECRET, or sealed under another secret)`);
      }
      start = { block: s.block, seq: s.seq, hash: s.hash, watermark: found ? { xid: Number(found.last_xid), id: found.last_id } : start.watermark };
    }
    for (const c of opts.checkpoints ?? []) await checkCheckpoint(main, key, tenant, c, problem);

    const head = (await main.query<{ block: number; seq: number; hash: string; sealed_xid: string; sealed_id: number }>(
      'SELECT block::float8 AS block, seq::float8 AS seq, hash, sealed_xid::text AS sealed_xid, sealed_id::float8 AS sealed_id FROM audit_chain_heads WHERE tenant_id = $1',
      [tenant],
    )).rows[0];
    const lastBlock = Number((await main.query<{ b: number | null }>('SELECT max(block)::float8 AS b FROM audit_blocks WHERE tenant_id = $1', [tenant])).rows[0]!.b ?? 0);

    // Split the blocks after `start` into ranges of about equal event counts, one per connection,
    // each starting after the watermark of the block before it.
    const ranges: { from: number; to: number; lower: Position }[] = [];
    if (lastBlock > start.block) {
      const parallel = Math.max(1, Math.min(opts.parallel ?? 2, lastBlock - start.block));
      const lastHeader = await headerOf(main, tenant, lastBlock);
      const endSeq = lastHeader ? lastHeader.first_seq + lastHeader.n - 1 : start.seq;
      let from = start.block + 1;
      let lower = start.watermark;
      for (let i = 1; i < parallel && from <= lastBlock; i++) {
        const target = start.seq + Math.round(((endSeq - start.seq) * i) / parallel);
        const split = (await main.query<{ block: number; last_xid: string; last_id: number }>(
          `SELECT b.block::float8 AS block, p.last_xid::text AS last_xid, p.last_id::float8 AS last_id
           FROM audit_blocks b JOIN audit_blocks p ON p.tenant_id = b.tenant_id AND p.block = b.block - 1
           WHERE b.tenant_id = $1 AND b.block > $2 AND b.block <= $3 AND b.first_seq > $4 ORDER BY b.block LIMIT 1`,
          [tenant, from, lastBlock, target],
        )).rows[0];
        if (!split) break;
        ranges.push({ from, to: split.block - 1, lower });
        from = split.block;
        lower = { xid: Number(split.last_xid), id: split.last_id };
      }
      ranges.push({ from, to: lastBlock, lower });
    }

    // Every range in the same snapshot: helpers adopt the main transaction's.
    if (ranges.length > 1) {
      const snapshot = (await main.query<{ s: string }>('SELECT pg_export_snapshot() AS s')).rows[0]!.s;
      for (let i = 1; i < ranges.length; i++) {
        const c = await pool.connect();
        helpers.push(c);
        await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        await c.query(`SET TRANSACTION SNAPSHOT ${literal(c, snapshot)}`);
        await c.query(CHAIN_READ_SETTINGS);
      }
    }
    const clients = [main, ...helpers];
    broken = true; // a failure mid-COPY leaves connections unusable
    const walks = await Promise.all(ranges.map((r, i) => walkRange(clients[i]!, key, tenant, t, r.from, r.to, r.lower)));
    broken = false;

    // Stitch the ranges: each must continue the one before it.
    let prev: { block: number; seq: number; hash: string | null; watermark: Position } = { ...start };
    let checked = 0;
    let macFailures = 0;
    let blocks = 0;
    for (const w of walks) {
      if (w.first) {
        if (w.first.block !== prev.block + 1) problem(`block ${prev.block + 1}${w.first.block > prev.block + 2 ? `..${w.first.block - 1}` : ''} missing (blocks removed)`);
        if (w.first.firstSeq !== prev.seq + 1) problem(`block ${w.first.block}: starts at seq ${w.first.firstSeq}, expected seq ${prev.seq + 1} (events missing or reordered)`);
        if (w.first.prevHash !== prev.hash) problem(`block ${w.first.block}: prev_hash does not match the previous block`);
      }
      for (const p of w.problems) problem(p);
      problemCount += w.problemCount - w.problems.length;
      checked += w.checked;
      macFailures += w.macFailures;
      blocks += w.blocks;
      if (w.last) prev = w.last;
    }
    if (blocks > 0 && macFailures === blocks) {
      problem('no block carries a MAC made with this AIRLOCK_SECRET: either it is not the secret the chain was sealed with, or every block was rewritten');
    }

    // The head row must describe the last block; it says where the next seal continues.
    const headBlock = head?.block ?? 0;
    if (headBlock !== prev.block || (head && (head.seq !== prev.seq || head.hash !== prev.hash))) {
      if (headBlock > prev.block) problem(`chain head says block ${headBlock} (seq ${head?.seq ?? 0}) but the last block found is ${prev.block} (events removed)`);
      else problem(`chain head (block ${headBlock}, seq ${head?.seq ?? 0}) does not match the last block ${prev.block} (seq ${prev.seq})`);
    } else if (head && prev.block > 0 && (Number(head.sealed_xid) !== prev.watermark.xid || head.sealed_id !== prev.watermark.id)) {
      problem('chain head: its sealing watermark is not the last block’s');
    }

    // Events after the last block: not sealed yet (a range of the sealing index).
    const unsealed = Number((await main.query<{ n: number }>(
      `SELECT count(*)::float8 AS n FROM audit_events WHERE tenant_id = $1 AND (xid, id) > ${position(prev.watermark)}`,
      [tenant],
    )).rows[0]!.n);
    await main.query('COMMIT');
    for (const c of helpers) await c.query('COMMIT');
    if (problemCount > problems.length) problems.push(`… and ${problemCount - problems.length} more problems`);
    return { ok: problemCount === 0, checked, unsealed, head: { block: prev.block, seq: prev.seq, hash: prev.hash ?? '' }, problems };
  } finally {
    main.release(broken);
    for (const c of helpers) c.release(broken);
  }
}

async function checkCheckpoint(client: PoolClient, key: AuditChainKey, tenant: string, c: AuditCheckpoint, problem: (t: string) => void): Promise<void> {
  const label = `checkpoint taken ${c.at} (block ${c.block}, seq ${c.seq})`;
  if (c.tenant !== tenant) return problem(`${label}: it is for tenant ${JSON.stringify(c.tenant)}`);
  if (!AuditChainKey.same(key.checkpointMac(c), c.mac)) return problem(`${label}: its MAC does not match (edited, or made under another AIRLOCK_SECRET)`);
  if (c.block === 0) {
    if (c.hash !== genesisHash(tenant)) problem(`${label}: not this tenant's genesis`);
    return;
  }
  const found = await headerOf(client, tenant, c.block);
  if (!found) {
    const last = (await client.query<{ block: number | null; seq: number | null }>(
      'SELECT block::float8 AS block, (first_seq + cardinality(event_ids) - 1)::float8 AS seq FROM audit_blocks WHERE tenant_id = $1 ORDER BY block DESC LIMIT 1',
      [tenant],
    )).rows[0];
    return problem(`${label}: the chain ends at block ${last?.block ?? 0} (seq ${last?.seq ?? 0}): events after it were removed (truncated)`);
  }
  if (found.hash !== c.hash || found.first_seq + found.n - 1 !== c.seq) {
    problem(`${label}: block ${c.block} no longer has the hash the checkpoint recorded: the chain was rewritten up to there`);
  }
}
