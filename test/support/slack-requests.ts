import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

export const SIGNING_SECRET = 'test-signing-secret';

/** Slack's request signature: v0=HMAC-SHA256(secret, "v0:<ts>:<body>"). */
export function slackHeaders(body: string, opts: { secret?: string; timestamp?: number; contentType?: string } = {}) {
  const ts = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const sig = createHmac('sha256', opts.secret ?? SIGNING_SECRET).update(`v0:${ts}:${body}`).digest('hex');
  return {
    'content-type': opts.contentType ?? 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': `v0=${sig}`,
  };
}

let triggers = 0;

/**
 * A recorded interaction payload with its placeholders filled in, and a
 * trigger_id of its own, as Slack gives every interaction: two clicks are
 * two different signed requests, never a replay of one.
 */
export function fixture(name: string, replace: Record<string, string>): Record<string, unknown> {
  let text = readFileSync(new URL(`../fixtures/slack/${name}.json`, import.meta.url), 'utf8');
  for (const [k, v] of Object.entries(replace)) text = text.split(`"${k}"`).join(JSON.stringify(v));
  const payload = JSON.parse(text);
  if (typeof payload.trigger_id === 'string') payload.trigger_id = `${payload.trigger_id}.${process.pid}.${++triggers}`;
  return payload;
}

/** Posts an interaction the way Slack does: form-encoded `payload=<json>`, signed. */
export function postInteraction(app: FastifyInstance, payload: unknown, opts: { secret?: string; timestamp?: number } = {}) {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return app.inject({ method: 'POST', url: '/slack/events', headers: slackHeaders(body, opts), payload: body });
}

export interface ClickOptions {
  user: string;
  team?: string;
  actionId: string;
  /** The argument version the clicked card showed (the button's value is `<id>@<version>`); omitted: a card from before versions. */
  version?: number;
  button?: 'airlock_approve' | 'airlock_deny' | 'airlock_approve_edit';
  userName?: string;
}

export function approveClick(o: ClickOptions) {
  const p = fixture('block-actions-approve', { ACTION_ID: o.version === undefined ? o.actionId : `${o.actionId}@${o.version}` }) as {
    user: { id: string; team_id: string; name: string };
    team: { id: string };
    actions: { action_id: string }[];
  };
  p.user.id = o.user;
  p.user.name = o.userName ?? o.user;
  p.user.team_id = o.team ?? 'T0ACME';
  p.team.id = o.team ?? 'T0ACME';
  p.actions[0]!.action_id = o.button ?? 'airlock_approve';
  return p;
}

export function denySubmission(o: { user: string; team?: string; actionId: string; reason: string; channel?: string; version?: number }) {
  const p = fixture('view-submission-deny', {
    META: JSON.stringify({ actionId: o.actionId, channel: o.channel ?? 'C0SUPPORT', ...(o.version === undefined ? {} : { argsVersion: o.version }) }),
    REASON: o.reason,
  }) as { user: { id: string; team_id: string }; team: { id: string } };
  p.user.id = o.user;
  p.user.team_id = o.team ?? 'T0ACME';
  p.team.id = o.team ?? 'T0ACME';
  return p;
}

export interface SlashCommandOptions {
  text: string;
  user?: string;
  team?: string;
  responseUrl: string;
  secret?: string;
  /** Signed as of this Unix time (default now). */
  timestamp?: number;
}

/** A signed `/airlock <text>` slash command, form-encoded as Slack sends it: the exact body and headers, to send (or replay). */
export function signedSlashCommand(o: SlashCommandOptions) {
  const fields = fixture('slash-command', { RESPONSE_URL: o.responseUrl }) as Record<string, string>;
  fields.text = o.text;
  fields.user_id = o.user ?? 'U0ADMIN';
  fields.team_id = o.team ?? 'T0ACME';
  const body = new URLSearchParams(fields).toString();
  return { body, headers: slackHeaders(body, { secret: o.secret, timestamp: o.timestamp }) };
}

export function postSlashCommand(app: FastifyInstance, o: SlashCommandOptions) {
  const { body, headers } = signedSlashCommand(o);
  return app.inject({ method: 'POST', url: '/slack/events', headers, payload: body });
}

/** "Approve with changes" submitted: the edit modal opened on argument `version`, with raw text per editable path. */
export function editSubmission(o: { user: string; actionId: string; version: number; edits: Record<string, string>; reason?: string }) {
  const p = denySubmission({ user: o.user, actionId: o.actionId, reason: o.reason ?? '', version: o.version }) as unknown as {
    view: { callback_id: string; state: { values: Record<string, Record<string, { type: string; value: string | null }>> } };
  };
  p.view.callback_id = 'airlock_approve_edit_modal';
  p.view.state.values.reason = { reason_input: { type: 'plain_text_input', value: o.reason ?? null } };
  for (const [path, value] of Object.entries(o.edits)) p.view.state.values[`edit:${path}`] = { value: { type: 'plain_text_input', value } };
  return p;
}
