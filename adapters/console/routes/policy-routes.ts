import type { FastifyInstance } from 'fastify';
import { tenantGroups, verifiedEmail } from '../../../src/domain/console-access.js';
import { parseDuration } from '../../../src/domain/duration.js';
import { toPlainText } from '../../../src/domain/message.js';
import { policyVersion } from '../../../src/domain/policy-model.js';
import { listReviewDates } from '../../../src/usecases/list-review-dates.js';
import type { ConsoleAdmin } from '../../../src/usecases/run-admin-command.js';
import type { ConsoleDeps } from '../console-deps.js';
import { badRequest } from '../pages/notices.js';
import { policyPage, SHADOW_WINDOW } from '../pages/policy.js';
import { chromeFor, sendPage } from '../reply-page.js';
import { enterAsReader } from './reader-access.js';

type Form = Record<string, string | undefined>;

/** A name the form sends as one word of the command (the parser checks it further): whitespace would make it several. */
const word = (v: string | undefined) => (v && !/\s/.test(v) ? v : undefined);

/** The admin command a form stands for, in the words `/airlock` takes; undefined when the form is incomplete. */
function commandText(form: Form): string | undefined {
  const reason = form.reason?.trim() ?? '';
  const withReason = (text: string) => (reason ? `${text} ${reason}` : text);
  switch (form.command) {
    case 'incident-on':
      return withReason('incident on');
    case 'incident-off':
      return 'incident off';
    case 'deny-tool':
      return word(form.tool) && withReason(`deny-tool ${form.tool}`);
    case 'allow-tool':
      return word(form.tool) && `allow-tool ${form.tool}`;
    case 'kill-agent':
      return word(form.agent) && withReason(`kill-agent ${form.agent}`);
    case 'revive-agent':
      return word(form.agent) && `revive-agent ${form.agent}`;
    case 'mode':
      return word(form.tool) && word(form.mode) && `mode ${form.tool} ${form.mode}`;
    default:
      return undefined;
  }
}

/** The policy page, and the admin commands run from it through the same use case as `/airlock` in chat. */
export function policyRoutes(app: FastifyInstance, deps: ConsoleDeps) {
  app.get('/t/:tenant/policy', async (req, reply) => {
    const entered = enterAsReader(deps, req, reply);
    if (!entered) return reply;
    const { access } = entered;
    const policy = deps.policy.current();
    const tenant = policy.tenants.get(access.tenant)!;
    const now = deps.clock.now();
    const overrides = await deps.overrides(tenant.id);
    // Tools are shared by every tenant of the file: only those this tenant's agents may call are its concern.
    const tools = [...new Set([...tenant.agents.values()].flatMap((a) => [...a.tools]))].sort();
    const shadowVersion = deps.shadow?.version();
    const shadow = deps.shadow && {
      ...(shadowVersion ? { version: shadowVersion, report: await deps.shadow.report({ tenant: tenant.id, since: new Date(now.getTime() - parseDuration(SHADOW_WINDOW)!), until: now }) } : {}),
    };
    const page = policyPage(
      {
        tenant: tenant.id,
        admin: access.admin,
        version: policyVersion(policy, overrides),
        fileVersion: policy.fileVersion,
        overrides,
        tools,
        agents: [...tenant.agents.keys()].sort(),
        reviewDates: listReviewDates({ tools: new Map([...policy.tools].filter(([name]) => tools.includes(name))) }, now),
        ...(shadow ? { shadow } : {}),
      },
      chromeFor(req, reply, entered.s, policy, access),
    );
    return sendPage(reply, 200, page);
  });

  app.post('/t/:tenant/policy/command', async (req, reply) => {
    const entered = enterAsReader(deps, req, reply);
    if (!entered) return reply;
    const { s, access } = entered;
    const text = commandText((req.body ?? {}) as Form);
    if (!text) return sendPage(reply, 400, badRequest('The form was incomplete (a command and the names it needs). Nothing was changed.'));
    const email = verifiedEmail(s.who);
    const actor: ConsoleAdmin = {
      kind: 'console',
      tenant: access.tenant,
      userId: email ?? `${s.who.issuer}#${s.who.subject}`,
      ...(email ? { email } : {}),
      groups: tenantGroups(deps.policy.current().tenants.get(access.tenant)!, s.who),
    };
    // An auditor's POST reaches the use case too: it refuses and audits the attempt, as it does for chat.
    const result = await deps.runAdminCommand(actor, text);
    req.session.set('flash', { tone: result.ok ? 'ok' : 'refused', text: toPlainText(result.message) });
    return reply.redirect(`/console/t/${encodeURIComponent(access.tenant)}/policy`, 303);
  });
}
