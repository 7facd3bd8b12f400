import type { Pool, PoolClient } from 'pg';
import type { AuditCheckpoint, ChainVerification, VerifyOptions } from '../../ports/audit-log.js';
import { AuditChainKey } from './audit-chain-key.js';
import { CHAIN_READ_SETTINGS, comparePositions, copyRows, integer, literal, position } from './audit-chain-rows.js';
import { blockHashOfConcatenated, EventHasher, genesisHash } from './audit-hashes.js';
import type { CopyRow } from './copy-binary-rows.js';

/** Problems listed in full; past this only their number is reported (a rewritten chain can have millions). */
const MAX_PROBLEMS = 1000;

/**
 * Every entry of a range of blocks, with the event it names (or NULLs when no
 * row answers for it). Block columns come once per block, on its first entry.
 * Column order is what `BlockWalk.row` reads.
 */
const entriesQuery = (t: string, from: number, to: number) => `
  SELECT b.block, u.pos,
    CASE WHEN u.pos IS NULL OR u.pos = 1 THEN b.first_seq END,
    CASE WHEN u.pos IS NULL OR u.pos = 1 THEN b.prev_hash END,
    CASE WHEN u.pos IS NULL OR u.pos = 1 THEN b.hash END,
    CASE WHEN u.pos IS NULL OR u.pos = 1 THEN b.mac END,
    CASE WHEN u.pos IS NULL OR u.pos = 1 THEN greatest(cardinality(b.event_ids), cardinality(b.event_hashes)) END::int8,
    u.id, u.h, e.xid, e.kind, e.action_id, e.at, e.data
  FROM audit_blocks b
  LEFT JOIN LATERAL unnest(b.event_ids, b.event_hashes) WITH ORDINALITY AS u(id, h, pos) ON true
  LEFT JOIN audit_events e ON e.tenant_id = b.tenant_id AND e.id = u.id
  WHERE b.tenant_id = ${t} AND b.block BETWEEN ${integer(from)} AND ${integer(to)}
  ORDER BY b.block`;

interface Position {
  xid: number;
  id: number;
}

/**
 * The block being read. One instance is reused for every block of a walk
 * (blocks are checked one at a time), with typed arrays that only grow: a
 * chain sealed one event per block must not cost allocations per block.
 */
class BlockState {
  block = -1;
  firstSeq: number | null = null;
  prevHash: string | null = null;
  hash: string | null = null;
  mac: string | null = null;
  n = 0;
  seen = 0;
  /** Entries set in this block carry its generation, so nothing needs clearing between blocks. */
  generation = 0;
  cap = 0;
  gen = new Uint32Array(0);
  ids = new Float64Array(0);
  xids = new Float64Array(0);
  /** Listed hashes, 32 bytes per entry. */
  hashes = Buffer.alloc(0);
  /** Per entry: 0 ok, 1 no row (removed), 2 content differs (altered), 3 no id or hash listed. */
  status = new Uint8Array(0);
  /** Per entry: 1 when a 32-byte hash is listed (the block hash covers the list, ids or not). */
  hashed = new Uint8Array(0);

  start(block: number): void {
    this.block = block;
    this.firstSeq = this.prevHash = this.hash = this.mac = null;
    this.n = this.seen = 0;
    this.generation += 1;
  }

  ensure(entries: number): void {
    if (entries <= this.cap) return;
    const cap = Math.max(entries, this.cap * 2, 64);
    const grow = <T extends Uint32Array | Float64Array | Uint8Array>(old: T, make: (n: number) => T): T => {
      const next = make(cap);
      next.set(old);
      return next;
    };
    this.gen = grow(this.gen, (k) => new Uint32Array(k));
    this.ids = grow(this.ids, (k) => new Float64Array(k));
    this.xids = grow(this.xids, (k) => new Float64Array(k));
    this.status = grow(this.status, (k) => new Uint8Array(k));
    this.hashed = grow(this.hashed, (k) => new Uint8Array(k));
    const hashes = Buffer.alloc(cap * 32);
    this.hashes.copy(hashes);
    this.hashes = hashes;
    this.cap = cap;
  }
}

/** What a walk over a contiguous range of blocks found; ranges are stitched together afterwards. */
interface WalkResult {
  first?: { block: number; firstSeq: number | null; prevHash: string | null; position: Position | null };
  last?: { block: number; seq: number; hash: string | null; position: Position | null };
  checked: number;
  removed: number;
  macFailures: number;
  blocks: number;
  problems: string[];
  problemCount: number;
}

/**
 * Walks blocks in order and checks, entirely in this process: each event's
 * content against its recorded hash, each block's hash, MAC, number, first
 * sequence number and link to the previous block, and that events follow
 * each other in sealing order (no event listed twice, none moved).
 */
class BlockWalk {
  readonly result: WalkResult = { checked: 0, removed: 0, macFailures: 0, blocks: 0, problems: [], problemCount: 0 };
  private readonly b = new BlockState();
  private open = false;
  private prev: { block: number; seq: number; hash: string | null; position: Position | null } | undefined;
  private readonly hasher: EventHasher;

  constructor(private readonly tenant: string, private readonly key: AuditChainKey) {
    this.hasher = new EventHasher(tenant);
  }

  problem(text: string): void {
    this.result.problemCount += 1;
    if (this.result.problems.length < MAX_PROBLEMS) this.result.problems.push(text);
  }

  row(r: CopyRow): void {
    const b = this.b;
    const block = r.int8(0);
    if (!this.open || b.block !== block) {
      this.finish();
      b.start(block);
      this.open = true;
    }
    if (!r.isNull(6)) {
      // The block's own columns (its first entry, or its only row when it lists nothing).
      b.firstSeq = r.isNull(2) ? null : r.int8(2);
      b.prevHash = r.isNull(3) ? null : r.text(3, 'latin1');
      b.hash = r.isNull(4) ? null : r.text(4, 'latin1');
      b.mac = r.isNull(5) ? null : r.text(5, 'latin1');
      b.n = r.int8(6);
      b.ensure(b.n);
    }
    if (r.isNull(1)) return;
    const pos = r.int8(1) - 1;
    b.ensure(pos + 1);
    b.seen += 1;
    b.gen[pos] = b.generation;
    const hashListed = r.len[8] === 32;
    if (hashListed) r.copyTo(8, b.hashes, pos * 32);
    b.hashed[pos] = hashListed ? 1 : 0;
    if (r.isNull(7) || !hashListed) {
      b.status[pos] = 3;
      b.ids[pos] = r.isNull(7) ? Number.NaN : r.int8(7);
      return;
    }
    const id = r.int8(7);
    b.ids[pos] = id;
    if (r.isNull(9)) {
      b.status[pos] = 1;
      b.xids[pos] = Number.NaN;
      return;
    }
    b.xids[pos] = r.int8(9);
    b.status[pos] = r.equals(8, this.hasher.hashCopyRow(id, r, 10, 11, 12, 13)) ? 0 : 2;
  }

  /** Checks the block being read, once all its entries have arrived. */
  finish(): void {
    if (!this.open) return;
    this.open = false;
    const b = this.b;
    const r = this.result;
    r.blocks += 1;
    const seqOf = (i: number) => (b.firstSeq ?? 0) + i;
    if (b.seen !== b.n) this.problem(`block ${b.block}: lists ${b.n} events but ${b.seen} entries were read (altered)`);
    // Positions as two numbers, not objects: this loop runs once per event.
    let lastXid = this.prev?.position?.xid ?? -1;
    let lastId = this.prev?.position?.id ?? -1;
    let firstPosition: Position | null = null;
    let complete = true;
    for (let i = 0; i < b.n; i++) {
      if (b.gen[i] !== b.generation || b.status[i] === 3) {
        if (b.gen[i] !== b.generation || !b.hashed[i]) complete = false;
        this.problem(`block ${b.block}: entry ${i + 1} has no event id or hash (altered)`);
        continue;
      }
      const id = b.ids[i]!;
      if (b.status[i] === 1) {
        r.removed += 1;
        this.problem(`event ${id} (seq ${seqOf(i)}): missing (events removed)`);
        continue;
      }
      if (b.status[i] === 2) this.problem(`event ${id} (seq ${seqOf(i)}): content does not match its hash (altered)`);
      const xid = b.xids[i]!;
      if (xid < lastXid || (xid === lastXid && id <= lastId)) {
        this.problem(`event ${id} (seq ${seqOf(i)}): out of sealing order (listed twice, or its xid changed)`);
      }
      lastXid = xid;
      lastId = id;
      firstPosition ??= { xid, id };
    }
    const last = lastId >= 0 ? { xid: lastXid, id: lastId } : null;
    r.checked += b.n;
    if (b.firstSeq === null || b.prevHash === null || b.hash === null) {
      this.problem(`block ${b.block}: incomplete (altered)`);
    } else {
      if (complete && blockHashOfConcatenated(this.tenant, b.block, b.firstSeq, b.prevHash, b.hashes, b.n) !== b.hash) {
        this.problem(`block ${b.block}: its list of events does not match its hash (altered)`);
      }
      if (!AuditChainKey.same(this.key.blockMac(this.tenant, b.hash), b.mac)) {
        r.macFailures += 1;
        this.problem(`block ${b.block}: its MAC does not match (rewritten by someone without AIRLOCK_SECRET, or sealed under another secret)`);
      }
    }
    if (this.prev) {
      if (b.block !== this.prev.block + 1) this.problem(`block ${this.prev.block + 1}${b.block > this.prev.block + 2 ? `..${b.block - 1}` : ''} missing (blocks removed)`);
      if (b.firstSeq !== this.prev.seq + 1) this.problem(`block ${b.block}: starts at seq ${b.firstSeq}, expected seq ${this.prev.seq + 1} (events missing or reordered)`);
      if (b.prevHash !== this.prev.hash) this.problem(`block ${b.block}: prev_hash does not match the previous block`);
    } else {
      r.first = { block: b.block, firstSeq: b.firstSeq, prevHash: b.prevHash, position: firstPosition };
    }
    this.prev = { block: b.block, seq: (b.firstSeq ?? 0) + b.n - 1, hash: b.hash, position: last };
    r.last = this.prev;
  }
}

interface BlockHeader {
  block: number;
  first_seq: number;
  n: number;
  hash: string;
  mac: string;
}

const headerOf = async (client: PoolClient, tenant: string, block: number): Promise<BlockHeader | undefined> =>
  (await client.query<BlockHeader>(
    'SELECT block::float8 AS block, first_seq::float8 AS first_seq, cardinality(event_ids) AS n, hash, mac FROM audit_blocks WHERE tenant_id = $1 AND block = $2',
    [tenant, block],
  )).rows[0];

/**
 * `audit verify`: walks the tenant's chain (or the part after `since`) in one
 * snapshot, over `parallel` connections each streaming a range of blocks, and
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
    let start = { block: 0, seq: 0, hash: genesisHash(tenant) };
    if (opts.since) {
      const s = opts.since;
      const found = s.block === 0 ? undefined : await headerOf(main, tenant, s.block);
      if (s.block === 0 ? s.hash !== start.hash || s.seq !== 0 : !found || found.hash !== s.hash || found.first_seq + found.n - 1 !== s.seq) {
        problem(`the chain no longer holds the --since checkpoint (block ${s.block}, seq ${s.seq}, taken ${s.at}): the chain was cut or rewritten there`);
      } else if (found && !AuditChainKey.same(key.blockMac(tenant, found.hash), found.mac)) {
        problem(`block ${s.block}: its MAC does not match (rewritten by someone without AIRLOCK_SECRET, or sealed under another secret)`);
      }
      start = { block: s.block, seq: s.seq, hash: s.hash };
    }
    for (const c of opts.checkpoints ?? []) await checkCheckpoint(main, key, tenant, c, problem);

    const head = (await main.query<{ block: number; seq: number; hash: string; sealed_xid: string; sealed_id: number }>(
      'SELECT block::float8 AS block, seq::float8 AS seq, hash, sealed_xid::text AS sealed_xid, sealed_id::float8 AS sealed_id FROM audit_chain_heads WHERE tenant_id = $1',
      [tenant],
    )).rows[0];
    const lastBlock = Number((await main.query<{ b: number | null }>('SELECT max(block)::float8 AS b FROM audit_blocks WHERE tenant_id = $1', [tenant])).rows[0]!.b ?? 0);

    // Split the blocks after `start` into ranges of about equal event counts, one per connection.
    const ranges: [number, number][] = [];
    if (lastBlock > start.block) {
      const parallel = Math.max(1, Math.min(opts.parallel ?? 2, lastBlock - start.block));
      const lastHeader = await headerOf(main, tenant, lastBlock);
      const endSeq = lastHeader ? lastHeader.first_seq + lastHeader.n - 1 : start.seq;
      let from = start.block + 1;
      for (let i = 1; i < parallel && from <= lastBlock; i++) {
        const target = start.seq + Math.round(((endSeq - start.seq) * i) / parallel);
        const split = (await main.query<{ block: number }>(
          'SELECT block::float8 AS block FROM audit_blocks WHERE tenant_id = $1 AND block > $2 AND block <= $3 AND first_seq > $4 ORDER BY block LIMIT 1',
          [tenant, from, lastBlock, target],
        )).rows[0]?.block;
        if (split === undefined) break;
        ranges.push([from, split - 1]);
        from = split;
      }
      ranges.push([from, lastBlock]);
    }

    // Every range in the same snapshot: helpers adopt the main transaction's.
    // A whole-chain walk also counts the tenant's events meanwhile, on one more
    // helper (to find events that no block lists); `--since` counts only its range, afterwards.
    const countAll = !opts.since && ranges.length > 0;
    const helperCount = ranges.length - 1 + (countAll ? 1 : 0);
    if (helperCount > 0) {
      const snapshot = (await main.query<{ s: string }>('SELECT pg_export_snapshot() AS s')).rows[0]!.s;
      for (let i = 0; i < helperCount; i++) {
        const c = await pool.connect();
        helpers.push(c);
        await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        await c.query(`SET TRANSACTION SNAPSHOT ${literal(c, snapshot)}`);
        await c.query(CHAIN_READ_SETTINGS);
      }
    }
    const clients = [main, ...helpers];
    const total = countAll
      ? clients[ranges.length]!.query<{ n: number }>('SELECT count(*)::float8 AS n FROM audit_events WHERE tenant_id = $1', [tenant]).then((r) => Number(r.rows[0]!.n))
      : undefined;
    broken = true; // a failure mid-COPY leaves connections unusable
    const walks = await Promise.all(
      ranges.map(async ([from, to], i) => {
        const walk = new BlockWalk(tenant, key);
        await copyRows(clients[i]!, entriesQuery(t, from, to), (r) => walk.row(r));
        walk.finish();
        return walk.result;
      }),
    );
    broken = false;

    // Stitch the ranges: each must continue the one before it.
    let prev: { block: number; seq: number; hash: string | null; position: Position | null } = { ...start, position: null };
    let checked = 0;
    let removed = 0;
    let macFailures = 0;
    let blocks = 0;
    let firstPosition: Position | null = null;
    for (const w of walks) {
      if (w.first) {
        if (w.first.block !== prev.block + 1) problem(`block ${prev.block + 1}${w.first.block > prev.block + 2 ? `..${w.first.block - 1}` : ''} missing (blocks removed)`);
        if (w.first.firstSeq !== prev.seq + 1) problem(`block ${w.first.block}: starts at seq ${w.first.firstSeq}, expected seq ${prev.seq + 1} (events missing or reordered)`);
        if (w.first.prevHash !== prev.hash) problem(`block ${w.first.block}: prev_hash does not match the previous block`);
        if (prev.position && w.first.position && comparePositions(w.first.position, prev.position) <= 0) {
          problem(`block ${w.first.block}: its first event is out of sealing order (listed twice, or its xid changed)`);
        }
        firstPosition ??= w.first.position;
      }
      for (const p of w.problems) problem(p);
      problemCount += w.problemCount - w.problems.length;
      checked += w.checked;
      removed += w.removed;
      macFailures += w.macFailures;
      blocks += w.blocks;
      if (w.last) prev = { block: w.last.block, seq: w.last.seq, hash: w.last.hash, position: w.last.position ?? prev.position };
    }
    if (blocks > 0 && macFailures === blocks) {
      problem('no block carries a MAC made with this AIRLOCK_SECRET: either it is not the secret the chain was sealed with, or every block was rewritten');
    }

    // The head row must describe the last block; it says where the next seal continues.
    const headBlock = head?.block ?? 0;
    if (headBlock !== prev.block || (head && (head.seq !== prev.seq || head.hash !== prev.hash))) {
      if (headBlock > prev.block) problem(`chain head says block ${headBlock} (seq ${head?.seq ?? 0}) but the last block found is ${prev.block} (events removed)`);
      else problem(`chain head (block ${headBlock}, seq ${head?.seq ?? 0}) does not match the last block ${prev.block} (seq ${prev.seq})`);
    } else if (head && prev.position && (Number(head.sealed_xid) !== prev.position.xid || head.sealed_id !== prev.position.id)) {
      problem('chain head: its sealing watermark is not the last sealed event');
    }

    // Events the walk did not meet: ones in the walked range's span that no block lists, and the unsealed tail.
    const last = prev.position;
    const watermark = last ?? (head ? { xid: Number(head.sealed_xid), id: head.sealed_id } : null);
    // Each count is a range of the sealing index, so `--since` counts only the new events.
    const count = async (range: string) =>
      Number((await main.query<{ n: number }>(`SELECT count(*)::float8 AS n FROM audit_events WHERE tenant_id = $1 AND ${range}`, [tenant])).rows[0]!.n);
    const after = await count(watermark ? `(xid, id) > ${position(watermark)}` : 'true');
    const inside = total
      ? (await total) - after
      : last
        ? await count(`(xid, id) <= ${position(last)}${firstPosition && opts.since ? ` AND (xid, id) >= ${position(firstPosition)}` : ''}`)
        : 0;
    const counts = { inside, after };
    const extra = counts.inside - (checked - removed);
    if (extra > 0) problem(`${extra} event(s) older than the last sealed one are in no block (inserted, or their xid changed)`);
    await main.query('COMMIT');
    for (const c of helpers) await c.query('COMMIT');
    if (problemCount > problems.length) problems.push(`… and ${problemCount - problems.length} more problems`);
    return { ok: problemCount === 0, checked, unsealed: counts.after, head: { block: prev.block, seq: prev.seq, hash: prev.hash ?? '' }, problems };
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
