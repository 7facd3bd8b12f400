import { describe, expect, it } from 'vitest';
import { Airlock, AirlockClientError, type Action } from '../src/index.js';

/**
 * list() and listAll() against a scripted fetch: what they ask for, and that
 * an answer they cannot vouch for is an error, never a partial listing.
 */
const action = (id: string, overrides: Record<string, unknown> = {}) =>
  ({
    id,
    status: 'decided',
    decision: 'allow',
    mode: 'allow',
    reasons: ['allowed'],
    rule: 'tools.lookup.mode',
    policy_version: 'abc.0',
    expires_at: null,
    tool: 'lookup',
    agent: 'bot',
    created_at: '2025-01-31T09:00:00.000Z',
    decided_at: '2025-01-31T09:00:00.000Z',
    args_version: 1,
    args_sha256: 'f'.repeat(64),
    ...overrides,
  }) as unknown as Action;

/** A client whose fetch answers from `answers` in turn (the last one again once they run out), recording each URL asked. */
function scripted(...answers: { status?: number; body: unknown }[]) {
  const urls: URL[] = [];
  let n = 0;
  const fetch = (async (input: URL) => {
    urls.push(new URL(input));
    const a = answers[Math.min(n++, answers.length - 1)]!;
    return new Response(JSON.stringify(a.body), { status: a.status ?? 200, headers: { 'content-type': 'application/json' } });
  }) as unknown as typeof globalThis.fetch;
  const client = new Airlock({ url: 'http://airlock.test', agentKey: 'k', fetch, retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 } });
  return { client, urls };
}

const failure = async (p: Promise<unknown>) => {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AirlockClientError);
  return e as AirlockClientError;
};

const collect = async (it: AsyncIterable<Action>) => {
  const out: Action[] = [];
  for await (const a of it) out.push(a);
  return out;
};

describe('list', () => {
  it('asks GET /v1/actions with the filters given, times as ISO 8601, and returns the page', async () => {
    const { client, urls } = scripted({ body: { actions: [action('a2'), action('a1')], next_cursor: 'c1' } });
    const page = await client.list({ status: 'decided', tool: 'lookup', since: new Date('2025-01-31T09:00:00Z'), until: '2025-02-01T00:00:00+01:00', limit: 2, cursor: 'c0' });
    expect(page).toEqual({ actions: [action('a2'), action('a1')], next_cursor: 'c1' });
    expect(urls[0]!.pathname).toBe('/v1/actions');
    expect(Object.fromEntries(urls[0]!.searchParams)).toEqual({
      status: 'decided',
      tool: 'lookup',
      since: '2025-01-31T09:00:00.000Z',
      until: '2025-02-01T00:00:00+01:00',
      limit: '2',
      cursor: 'c0',
    });
  });

  it('asks with no parameter when given none', async () => {
    const { client, urls } = scripted({ body: { actions: [], next_cursor: null } });
    expect(await client.list()).toEqual({ actions: [], next_cursor: null });
    expect(urls[0]!.search).toBe('');
  });

  it.each([
    ['not a listing', { ok: true }],
    ['actions not an array', { actions: {}, next_cursor: null }],
    ['next_cursor missing', { actions: [] }],
    ['next_cursor not a string', { actions: [], next_cursor: 7 }],
    ['an item that is not an action', { actions: [{ id: 'a1' }], next_cursor: null }],
  ])('refuses %s: malformed', async (_what, body) => {
    const { client } = scripted({ body });
    expect(await failure(client.list())).toMatchObject({ kind: 'malformed' });
  });

  it('refuses an item with a status it does not know: unknown_decision', async () => {
    const { client } = scripted({ body: { actions: [action('a1', { status: 'probably_fine' })], next_cursor: null } });
    expect(await failure(client.list())).toMatchObject({ kind: 'unknown_decision' });
  });

  it('refuses an item the filters exclude (another status or tool): malformed', async () => {
    const other = scripted({ body: { actions: [action('a1', { tool: 'send_money' })], next_cursor: null } });
    expect((await failure(other.client.list({ tool: 'lookup' }))).message).toContain('send_money');
    const pending = scripted({ body: { actions: [action('a1')], next_cursor: null } });
    expect(await failure(pending.client.list({ status: 'pending' }))).toMatchObject({ kind: 'malformed' });
  });

  it('throws a refusal with Airlock’s code and details, not retried', async () => {
    const { client, urls } = scripted({ status: 400, body: { error: { code: 'validation_failed', message: 'request querystring is invalid', details: [{ path: 'querystring.limit', message: 'a whole number from 1 to 200' }] } } });
    const err = await failure(client.list({ limit: 500 }));
    expect(err).toMatchObject({ kind: 'http', status: 400, code: 'validation_failed', details: [{ path: 'querystring.limit' }] });
    expect(urls).toHaveLength(1);
  });
});

describe('listAll', () => {
  it('follows next_cursor until Airlock says there is no more, keeping the filters', async () => {
    const { client, urls } = scripted(
      { body: { actions: [action('a3'), action('a2')], next_cursor: 'c1' } },
      { body: { actions: [action('a1')], next_cursor: null } },
    );
    expect((await collect(client.listAll({ tool: 'lookup', limit: 2 }))).map((a) => a.id)).toEqual(['a3', 'a2', 'a1']);
    expect(urls.map((u) => u.search)).toEqual(['?tool=lookup&limit=2', '?tool=lookup&limit=2&cursor=c1']);
  });

  it('stops with an error when a cursor comes back again (it would page in a circle)', async () => {
    const { client, urls } = scripted(
      { body: { actions: [action('a2')], next_cursor: 'c1' } },
      { body: { actions: [action('a1')], next_cursor: 'c2' } },
      { body: { actions: [action('a0')], next_cursor: 'c1' } },
    );
    const seen: string[] = [];
    const err = await failure(
      (async () => {
        for await (const a of client.listAll()) seen.push(a.id);
      })(),
    );
    expect(err).toMatchObject({ kind: 'malformed' });
    expect(err.message).toContain('cursor');
    expect(seen).toEqual(['a2', 'a1']);
    expect(urls).toHaveLength(3);
  });

  it('stops when the caller stops reading: no page is fetched past the one it is in', async () => {
    const { client, urls } = scripted({ body: { actions: [action('a2'), action('a1')], next_cursor: 'c1' } }, { body: { actions: [action('a0')], next_cursor: null } });
    for await (const a of client.listAll()) {
      expect(a.id).toBe('a2');
      break;
    }
    expect(urls).toHaveLength(1);
  });
});
