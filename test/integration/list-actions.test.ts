import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Airlock, AirlockClientError, type Action } from '@airlock/client';
import { listActionsStatement } from '../../src/infra/postgres/list-actions-statement.js';
import { startAirlock, type TestAirlock } from '../support/airlock.js';
import { waitFor } from '../support/wait-for.js';

/**
 * GET /v1/actions: an agent lists its own actions, newest first, a page at a
 * time. Requests go through the real API (auth, rate limit, validation) on a
 * fresh database; each test lists a window of time (`since`) that only its
 * own actions fall into, so tests never see each other's.
 */
let airlock: TestAirlock;
let acme: string;
let ops: string;
let globex: string;

const requester = { id: 'U0SAM' };
const lookup = (order: string) => ({ tool: 'lookup_order', args: { order_id: order }, requester });

async function submit(auth: string, body: unknown): Promise<Action> {
  const res = await airlock.app.inject({ method: 'POST', url: '/v1/actions', headers: { authorization: auth, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

/** Submits one after another, each created at a later millisecond than the one before (polled, not slept). */
async function submitInOrder(auth: string, bodies: unknown[]): Promise<Action[]> {
  const out: Action[] = [];
  for (const body of bodies) {
    if (out.length > 0) {
      const last = Date.parse(out.at(-1)!.created_at);
      await waitFor(() => Date.now() > last, { what: 'the next millisecond' });
    }
    out.push(await submit(auth, body));
  }
  return out;
}

const list = (auth: string | undefined, query: Record<string, string | number> = {}) =>
  airlock.app.inject({ method: 'GET', url: '/v1/actions', query: Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)])), headers: auth ? { authorization: auth } : {} });

async function page(auth: string, query: Record<string, string | number> = {}): Promise<{ actions: Action[]; next_cursor: string | null }> {
  const res = await list(auth, query);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

/** Every page of a listing, following next_cursor. */
async function everything(auth: string, query: Record<string, string | number> = {}): Promise<Action[]> {
  const all: Action[] = [];
  let cursor: string | null = null;
  do {
    const p = await page(auth, { ...query, ...(cursor ? { cursor } : {}) });
    all.push(...p.actions);
    cursor = p.next_cursor;
  } while (cursor);
  return all;
}

const ids = (actions: { id: string }[]) => actions.map((a) => a.id);
const count = async (table: string) => Number((await airlock.core.pool.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
/** Now, as a `since` that only actions submitted from here on fall into. */
const windowStart = () => new Date(Date.now() - 1).toISOString();

beforeAll(async () => {
  airlock = await startAirlock();
  acme = await airlock.agentAuth('acme', 'support-bot');
  ops = await airlock.agentAuth('acme', 'ops-bot');
  globex = await airlock.agentAuth('globex', 'support-bot');
});
afterAll(() => airlock?.close());

describe('GET /v1/actions', () => {
  it('lists the agent’s actions newest first, each exactly as GET /v1/actions/:id shows it', async () => {
    const since = windowStart();
    const submitted = await submitInOrder(acme, [
      lookup('o-1'),
      { tool: 'send_customer_email', args: { to: 'jane@example.com', subject: 'Hi', body: 'TOP-SECRET-BODY' }, requester },
      { tool: 'draft_reply', args: {}, requester },
    ]);
    const { actions, next_cursor } = await page(acme, { since });
    expect(ids(actions)).toEqual(ids(submitted).reverse());
    expect(next_cursor).toBeNull();
    for (const action of actions) {
      const single = await airlock.app.inject({ method: 'GET', url: `/v1/actions/${action.id}`, headers: { authorization: acme } });
      expect(action).toEqual(single.json());
    }
    expect(actions.map((a) => a.status)).toEqual(['decided', 'pending', 'decided']);
  });

  it('never shows a redacted value', async () => {
    const since = windowStart();
    await submit(acme, { tool: 'send_customer_email', args: { to: 'jane@example.com', subject: 'Hi', body: 'TOP-SECRET-BODY' }, requester });
    const res = await list(acme, { since });
    expect(res.json().actions).toHaveLength(1);
    expect(res.body).not.toContain('TOP-SECRET-BODY');
  });

  it('pages through without duplicates or gaps while new actions arrive between pages; they show on a fresh listing', async () => {
    const since = windowStart();
    const first = await submitInOrder(acme, ['o-1', 'o-2', 'o-3', 'o-4', 'o-5', 'o-6', 'o-7'].map(lookup));
    const seen: Action[] = [];
    const p1 = await page(acme, { since, limit: 3 });
    seen.push(...p1.actions);
    const arrivedAfterPage1 = await submitInOrder(acme, [lookup('n-1'), lookup('n-2')]);
    const p2 = await page(acme, { since, limit: 3, cursor: p1.next_cursor! });
    seen.push(...p2.actions);
    const arrivedAfterPage2 = await submit(acme, lookup('n-3'));
    const p3 = await page(acme, { since, limit: 3, cursor: p2.next_cursor! });
    seen.push(...p3.actions);

    expect([p1.actions.length, p2.actions.length, p3.actions.length]).toEqual([3, 3, 1]);
    expect(p3.next_cursor).toBeNull();
    expect(ids(seen)).toEqual(ids(first).reverse());

    const fresh = await everything(acme, { since, limit: 4 });
    expect(ids(fresh)).toEqual([arrivedAfterPage2.id, ...ids(arrivedAfterPage1).reverse(), ...ids(first).reverse()]);
  });

  it('pages through actions created in the same microsecond, and tells microseconds apart', async () => {
    const made = await submitInOrder(acme, ['t-1', 't-2', 't-3', 't-4', 't-5', 't-6', 't-7'].map(lookup));
    const [later, ...rest] = made;
    const earlier = rest.pop()!;
    const tied = rest;
    // A past moment no other test lists: one action a microsecond after five that share theirs, one a microsecond before.
    await airlock.core.pool.query(`UPDATE actions SET created_at = '2001-02-03 04:05:06.789124+00' WHERE id = $1`, [later!.id]);
    await airlock.core.pool.query(`UPDATE actions SET created_at = '2001-02-03 04:05:06.789123+00' WHERE id = ANY($1::uuid[])`, [ids(tied)]);
    await airlock.core.pool.query(`UPDATE actions SET created_at = '2001-02-03 04:05:06.789122+00' WHERE id = $1`, [earlier.id]);
    const window = { since: '2001-02-03T04:05:06Z', until: '2001-02-03T04:05:07Z' };
    const tiedNewestFirst = ids(tied).sort().reverse();
    for (const limit of [1, 2, 3, 5, 7]) {
      expect(ids(await everything(acme, { ...window, limit })), `limit ${limit}`).toEqual([later!.id, ...tiedNewestFirst, earlier.id]);
    }
  });

  it('filters by status, tool and time: since is inclusive, until exclusive', async () => {
    const since = windowStart();
    const [look, draft, email, refund] = await submitInOrder(acme, [
      lookup('o-1'),
      { tool: 'draft_reply', args: {}, requester },
      { tool: 'send_customer_email', args: { to: 'jane@example.com', subject: 'Hi' }, requester },
      { tool: 'issue_refund', args: { order_id: 'o-1', amount_cents: 90_000 }, requester },
    ]);
    expect(refund!.decision).toBe('deny');
    expect(ids((await page(acme, { since, status: 'pending' })).actions)).toEqual([email!.id]);
    expect(ids((await page(acme, { since, tool: 'lookup_order' })).actions)).toEqual([look!.id]);
    expect(ids((await page(acme, { since, status: 'decided' })).actions)).toEqual([refund!.id, draft!.id, look!.id]);
    expect(ids((await page(acme, { since, status: 'decided', tool: 'draft_reply' })).actions)).toEqual([draft!.id]);
    expect(ids((await page(acme, { since, status: 'approved' })).actions)).toEqual([]);
    expect(ids((await page(acme, { since: draft!.created_at, until: refund!.created_at })).actions)).toEqual([email!.id, draft!.id]);
    // Another zone names the same instant.
    const drafted = new Date(draft!.created_at);
    const inTokyo = new Date(drafted.getTime() + 9 * 3_600_000).toISOString().replace('Z', '+09:00');
    expect(ids((await page(acme, { since: inTokyo, until: refund!.created_at })).actions)).toEqual([email!.id, draft!.id]);
  });

  it('never lists another agent’s actions, of the same tenant or another', async () => {
    const since = windowStart();
    const own = await submit(acme, lookup('mine'));
    const sibling = await submit(ops, lookup('sibling'));
    const foreign = await submit(globex, lookup('foreign'));
    expect(ids(await everything(acme, { since }))).toEqual([own.id]);
    expect(ids(await everything(ops, { since }))).toEqual([sibling.id]);
    expect(ids(await everything(globex, { since }))).toEqual([foreign.id]);
    // Across everything ever listed, not just this window.
    const all = await everything(acme, { limit: 200 });
    expect(all.length).toBeGreaterThan(10);
    expect(all.every((a) => a.agent === 'support-bot')).toBe(true);
    expect(ids(all)).not.toContain(sibling.id);
    expect(ids(all)).not.toContain(foreign.id);
  });

  it('refuses a cursor issued to another agent', async () => {
    await submitInOrder(acme, [lookup('c-1'), lookup('c-2')]);
    const { next_cursor } = await page(acme, { limit: 1 });
    for (const other of [ops, globex]) {
      const res = await list(other, { limit: 1, cursor: next_cursor! });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.details).toEqual([expect.objectContaining({ path: 'querystring.cursor' })]);
    }
  });

  it('asks for the agent key, as every agent route does', async () => {
    expect((await list(undefined)).statusCode).toBe(401);
    expect((await list('Bearer not-a-key')).json().error.code).toBe('unauthenticated');
  });

  describe('refuses bad parameters with a 400 naming the parameter, and changes nothing', () => {
    let cursor: string;
    beforeAll(async () => {
      await submitInOrder(acme, [lookup('b-1'), lookup('b-2')]);
      cursor = (await page(acme, { limit: 1, tool: 'lookup_order' })).next_cursor!;
    });
    const tamper = (c: string) => `${c.slice(0, 5)}${c[5] === 'A' ? 'B' : 'A'}${c.slice(6)}`;

    it.each<[string, () => Record<string, string | number>, string, RegExp]>([
      ['limit 0', () => ({ limit: 0 }), 'limit', /1 to 200/],
      ['limit 201', () => ({ limit: 201 }), 'limit', /1 to 200/],
      ['limit not a number', () => ({ limit: 'ten' }), 'limit', /1 to 200/],
      ['limit not whole', () => ({ limit: 2.5 }), 'limit', /1 to 200/],
      ['since a word', () => ({ since: 'yesterday' }), 'since', /ISO 8601 .*2025-01-31T09:00:00Z/],
      ['since a date without a time', () => ({ since: '2025-01-31' }), 'since', /ISO 8601/],
      ['since without a zone', () => ({ since: '2025-01-31T09:00:00' }), 'since', /time zone/],
      ['until an impossible date', () => ({ until: '2025-02-30T09:00:00Z' }), 'until', /ISO 8601/],
      ['until not after since', () => ({ since: '2025-01-31T09:00:00Z', until: '2025-01-31T09:00:00Z' }), 'until', /after since/],
      ['an unknown status', () => ({ status: 'fine' }), 'status', /decided.*rolled_back/],
      ['an empty tool', () => ({ tool: '' }), 'tool', /.+/],
      ['garbage for a cursor', () => ({ cursor: 'not-a-cursor' }), 'cursor', /next_cursor/],
      ['a tampered cursor', () => ({ tool: 'lookup_order', cursor: tamper(cursor) }), 'cursor', /next_cursor/],
      ['a cursor with other filters', () => ({ tool: 'draft_reply', cursor }), 'cursor', /same status, tool, since and until/],
      ['a cursor without its filters', () => ({ cursor }), 'cursor', /same status, tool, since and until/],
      ['an unknown parameter', () => ({ agent: 'ops-bot' }), '', /agent/],
    ])('%s', async (_what, query, param, message) => {
      const before = [await count('actions'), await count('audit_events')];
      const res = await list(acme, query());
      expect(res.statusCode, res.body).toBe(400);
      const { error } = res.json();
      expect(error.code).toBe('validation_failed');
      const detail = error.details.find((d: { path: string }) => (param ? d.path === `querystring.${param}` : d.path.startsWith('querystring')));
      expect(detail, JSON.stringify(error)).toBeDefined();
      expect(`${error.message} ${detail.message}`).toMatch(message);
      expect([await count('actions'), await count('audit_events')]).toEqual(before);
    });

    it('the untampered cursor with its filters is accepted', async () => {
      expect((await page(acme, { limit: 1, tool: 'lookup_order', cursor })).actions).toHaveLength(1);
    });
  });
});

describe('the TypeScript client', () => {
  let client: Airlock;
  beforeAll(async () => {
    await airlock.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = airlock.app.server.address() as AddressInfo;
    client = new Airlock({ url: `http://127.0.0.1:${port}`, agentKey: acme.replace(/^Bearer /, '') });
  });

  it('list() answers a page and listAll() every action across pages, newest first', async () => {
    const since = new Date(Date.now() - 1);
    const made = await submitInOrder(acme, ['k-1', 'k-2', 'k-3', 'k-4', 'k-5'].map(lookup));
    const first = await client.list({ since, limit: 2 });
    expect(ids(first.actions)).toEqual(ids(made).reverse().slice(0, 2));
    expect(first.next_cursor).toEqual(expect.any(String));
    const second = await client.list({ since, limit: 2, cursor: first.next_cursor! });
    expect(ids(second.actions)).toEqual(ids(made).reverse().slice(2, 4));
    const all: Action[] = [];
    for await (const a of client.listAll({ since, tool: 'lookup_order', limit: 2 })) all.push(a);
    expect(ids(all)).toEqual(ids(made).reverse());
  });

  it('throws Airlock’s refusal of a bad parameter, without retrying it', async () => {
    const err = await client.list({ since: 'yesterday' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AirlockClientError);
    expect(err).toMatchObject({ kind: 'http', status: 400, code: 'validation_failed', attempts: 1 });
  });
});

describe('the listing query', () => {
  it('reads the agent’s index newest first, without sorting, however many actions the tenant has', async () => {
    // 5,000 actions of one agent, copies of one real row, then fresh statistics. Without the
    // index the planner reads every row of the table and sorts them, whatever the count.
    const seed = await submit(ops, lookup('seed'));
    const { rows: columns } = await airlock.core.pool.query<{ name: string }>(
      `SELECT quote_ident(column_name) AS name FROM information_schema.columns
       WHERE table_schema = current_schema() AND table_name = 'actions' AND column_name NOT IN ('id', 'agent', 'created_at') ORDER BY ordinal_position`,
    );
    const rest = columns.map((c) => c.name).join(', ');
    await airlock.core.pool.query(
      `INSERT INTO actions (id, agent, created_at, ${rest})
       SELECT gen_random_uuid(), 'bulk-bot', created_at - g * interval '1 second', ${rest} FROM actions, generate_series(1, 5000) g WHERE id = $1`,
      [seed.id],
    );
    await airlock.core.pool.query(`INSERT INTO action_payloads (action_id, args, context) SELECT id, '{}', '{}' FROM actions WHERE agent = 'bulk-bot'`);
    await airlock.core.pool.query('ANALYZE actions; ANALYZE action_payloads');
    const q = listActionsStatement({ tenant: 'acme', agent: 'bulk-bot', limit: 51, before: { createdAt: new Date(Date.parse(seed.created_at) - 1_000_000).toISOString().replace('Z', '000Z'), id: seed.id } });
    const { rows } = await airlock.core.pool.query(`EXPLAIN (FORMAT JSON) ${q.text}`, q.values);
    const nodes: Record<string, unknown>[] = [];
    const walk = (n: Record<string, unknown>) => {
      nodes.push(n);
      for (const child of (n.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
    };
    walk(rows[0]['QUERY PLAN'][0].Plan);
    const onActions = nodes.filter((n) => n['Relation Name'] === 'actions');
    expect(onActions.map((n) => [n['Node Type'], n['Index Name']])).toEqual([['Index Scan', 'actions_agent_created']]);
    expect(nodes.map((n) => n['Node Type'])).not.toContain('Sort');
    const listed = await airlock.core.pool.query(q.text, q.values);
    expect(listed.rows).toHaveLength(51);
  });
});
