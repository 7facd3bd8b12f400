import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { approvalConformance, type Choice } from './approval-conformance.js';
import { ConsoleClient, type Page } from '../support/console-client.js';
import { ACCOUNTS, startConsoleAirlock } from '../support/console-airlock.js';
import { waitFor } from '../support/wait-for.js';

/** The test identity provider's account each person signs in as (the suite names people by their verified email). */
const ACCOUNT_OF: Record<string, string> = {
  'lead1@acme.example': 'lead1',
  'lead2@acme.example': 'lead2',
  'fin1@acme.example': 'fin1',
  'fin2@acme.example': 'fin2',
  'audit@acme.example': 'audit',
  'boss@globex.example': 'boss',
  'nobody@elsewhere.example': 'stranger',
};
const ADMIN = 'admin';
/** The tenant whose console each person works in: globex's reviewer in globex's, everyone else (the stranger too) in acme's. */
const tenantOf = (user: string) => (user === 'boss@globex.example' ? 'globex' : 'acme');

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'" };
/** Markup as a person reads it: tags gone, entities decoded, white space collapsed. */
const readable = (markup: string) =>
  markup
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|#39|#x27);/g, (_, e: string) => ENTITIES[e]!)
    .replace(/\s+/g, ' ')
    .trim();
const flashOf = (page: Page) => /<p class="flash[^"]*" role="status">([^<]*)<\/p>/.exec(page.body)?.[1];
/** What a POST answered that person: the line the page it lands on shows once, or the page it answered with (a refusal). */
const answerOf = async (client: ConsoleClient, sent: Page): Promise<string> => {
  if (sent.status === 303 && sent.location) {
    const flash = flashOf(await client.get(sent.location));
    if (flash === undefined) throw new Error(`the console showed no answer after the POST (redirected to ${sent.location})`);
    return readable(flash);
  }
  if (sent.status === 403 || sent.status === 404) return readable(/<main[^>]*>([\s\S]*)<\/main>/.exec(sent.body)?.[1] ?? sent.body);
  throw new Error(`the console answered ${sent.status}: ${readable(sent.body).slice(0, 300)}`);
};

/** A review form's fields, as the inbox's forms send them (the confirmation an irreversible action asks for is ticked). */
function reviewForm(choice: Choice): Record<string, string> {
  switch (choice.verb) {
    case 'approve':
      return { decision: 'approve', confirmed: 'yes' };
    case 'deny':
      return { decision: 'deny', reason: choice.reason };
    case 'edit':
      return { decision: 'approve', confirmed: 'yes', reason: choice.reason, ...Object.fromEntries(Object.entries(choice.edits).map(([path, v]) => [`edit:${path}`, v])) };
  }
}

/** The policy page's form for an admin command, from the words `/airlock` takes. */
function commandForm(text: string): Record<string, string> {
  const [verb = '', first = '', ...rest] = text.trim().split(/\s+/);
  const reason = rest.join(' ');
  switch (verb) {
    case 'incident':
      return { command: `incident-${first}`, reason };
    case 'deny-tool':
      return { command: verb, tool: first, reason };
    case 'allow-tool':
      return { command: verb, tool: first };
    case 'kill-agent':
      return { command: verb, agent: first, reason };
    case 'revive-agent':
      return { command: verb, agent: first };
    case 'mode':
      return { command: verb, tool: first, mode: rest[0] ?? '' };
    default:
      throw new Error(`the policy page has no form for "${text}"`);
  }
}

approvalConformance('console', async () => {
  // A copy the suite may rewrite when it reloads the policy.
  const dir = mkdtempSync(join(tmpdir(), 'airlock-console-conformance-'));
  const policyFile = join(dir, 'policy.yml');
  const original = readFileSync('test/fixtures/console-conformance-policy.yml', 'utf8');
  writeFileSync(policyFile, original);
  const t = await startConsoleAirlock({ policyFile });
  const agent = await t.agentAuth('acme', 'bot');

  // Everyone signs in once, each in a browser of their own (the provider signs in one person at a time).
  const browsers = new Map<string, ConsoleClient>();
  for (const [email, account] of [...Object.entries(ACCOUNT_OF), [ADMIN, ADMIN] as const]) browsers.set(email, (await t.signIn(account)).client);
  const browser = (user: string) => {
    const client = browsers.get(user);
    if (!client) throw new Error(`nobody signed in as ${user}`);
    return client;
  };

  const reviewers: [string, string] = ['lead1@acme.example', 'lead2@acme.example'];
  const quorum: [string, string] = ['fin1@acme.example', 'fin2@acme.example'];
  /** A member of the group that decides each action: who looks at its inbox and its page. */
  const memberFor = new Map<string, string>();
  const told = new Map<string, string[]>();
  const csrfOf = async (client: ConsoleClient, page: string) => ConsoleClient.csrfOf(await client.get(page));

  return {
    reviewers,
    email: (user) => user,
    quorum,
    outsider: 'audit@acme.example',
    foreigner: 'boss@globex.example',
    unconnected: 'nobody@elsewhere.example',
    shown: (id) => ACCOUNTS[ACCOUNT_OF[id] ?? '']?.name ?? id,
    submit: async (tool, body = {}) => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/actions',
        headers: { authorization: agent },
        payload: { tool, args: { to: 'x@example.com', subject: 's' }, requester: { id: 'U0SAM', email: 'sam@acme.test' }, summary: `please run ${tool}`, ...body },
      });
      if (res.statusCode !== 201) throw new Error(`submit failed: ${res.statusCode} ${res.body}`);
      const created = res.json() as { id: string; args_sha256?: string };
      memberFor.set(created.id, tool === 'refund' || tool === 'big_refund' ? quorum[0] : reviewers[0]);
      return created;
    },
    get: async (id, wait) => (await t.app.inject({ method: 'GET', url: `/v1/actions/${id}${wait ? `?wait=${wait}` : ''}`, headers: { authorization: agent } })).json(),
    query: async (sql, params) => (await t.core.pool.query(sql, params)).rows,
    click: async (user, actionId, choice, version = 1) => {
      const client = browser(user);
      const tenant = tenantOf(user);
      const inbox = `/console/t/${tenant}/inbox`;
      // The form carries the session's CSRF token from the page it is on (a refusal page has the sign-out form's).
      const _csrf = await csrfOf(client, inbox);
      const sent = await client.post(`/console/t/${tenant}/actions/${encodeURIComponent(actionId)}/review`, { _csrf, args_version: String(version), back: inbox, ...reviewForm(choice) });
      told.set(user, [...(told.get(user) ?? []), await answerOf(client, sent)]);
    },
    awaitingReview: async (id) => {
      const member = browser(memberFor.get(id)!);
      await waitFor(async () => (await member.get('/console/t/acme/inbox')).body.includes(`id="card-${id}"`), { what: `${id} in the inbox of ${memberFor.get(id)}` });
    },
    cardViews: async (id) => {
      const page = await browser(memberFor.get(id)!).get(`/console/t/acme/actions/${encodeURIComponent(id)}`);
      const card = /<article class="card[\s\S]*?<\/article>/.exec(page.body)?.[0];
      return card ? [{ text: readable(card), buttons: card.includes('name="decision"') }] : [];
    },
    forgetAnswers: () => told.clear(),
    toldPrivately: (user, contains) => waitFor(() => told.get(user)?.find((m) => m.includes(contains)), { what: `an answer to ${user} containing "${contains}"` }),
    admin: async (text) => {
      const client = browser(ADMIN);
      const page = '/console/t/acme/policy';
      const sent = await client.post(`${page}/command`, { _csrf: await csrfOf(client, page), ...commandForm(text) });
      return answerOf(client, sent);
    },
    reloadPolicy: async (edit) => {
      writeFileSync(policyFile, edit(original));
      // What SIGHUP runs in the server process.
      await t.core.reloadPolicy();
    },
    close: async () => {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
