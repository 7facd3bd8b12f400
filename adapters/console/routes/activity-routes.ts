import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { accessTo, type TenantAccess } from '../../../src/domain/console-access.js';
import { CSV_HEADER, csvRecord, exportRow, jsonLine } from '../activity-export.js';
import { parseActivityQuery } from '../activity-filters.js';
import type { ConsoleDeps } from '../console-deps.js';
import { activityPage } from '../pages/activity.js';
import { badRequest } from '../pages/notices.js';
import { chromeFor, sendPage } from '../reply-page.js';
import { signedIn, type SignedIn } from '../session.js';
import { refuseEntry } from './reader-access.js';

/** An export reads this many actions per page, and stops at the most it holds. */
const EXPORT_PAGE = 1_000;
export const EXPORT_MAX = 100_000;

/**
 * The activity page and its exports, for the tenant's auditors and admins:
 * anyone else, a reviewer of the tenant included, is told there is nothing
 * here.
 */
export function activityRoutes(app: FastifyInstance, deps: ConsoleDeps) {
  const enter = (req: FastifyRequest, reply: FastifyReply): { s: SignedIn; access: TenantAccess } | undefined => {
    const s = signedIn(req, deps.clock.now().getTime())!;
    const access = accessTo(deps.policy.current(), s.who, (req.params as { tenant: string }).tenant);
    if (!access?.reads) void refuseEntry(deps, req, reply, s, access);
    return access?.reads ? { s, access } : undefined;
  };

  app.get('/t/:tenant/activity', async (req, reply) => {
    const entered = enter(req, reply);
    if (!entered) return reply;
    const q = parseActivityQuery(req.query as Record<string, unknown>);
    if ('error' in q) return sendPage(reply, 400, badRequest(`The filters could not be read: ${q.error}.`));
    const page = await deps.listActivity(entered.access.tenant, q.filters, { limit: q.limit, ...(q.cursor ? { cursor: q.cursor } : {}) });
    if (page.kind === 'bad_cursor') return sendPage(reply, 400, badRequest('That page link belongs to other filters (or was altered). Start again from the newest actions.'));
    const policy = deps.policy.current();
    const tenant = policy.tenants.get(entered.access.tenant)!;
    const tools = [...new Set([...tenant.agents.values()].flatMap((a) => [...a.tools]))].sort();
    return sendPage(
      reply,
      200,
      activityPage(
        { tenant: entered.access.tenant, form: q.form, tools, agents: [...tenant.agents.keys()].sort(), actions: page.actions, nextCursor: page.nextCursor, exportMax: EXPORT_MAX },
        chromeFor(req, reply, entered.s, policy, entered.access),
      ),
    );
  });

  app.get('/t/:tenant/activity/export', async (req, reply) => {
    const entered = enter(req, reply);
    if (!entered) return reply;
    const query = req.query as Record<string, unknown>;
    const format = query.format === 'jsonl' ? 'jsonl' : query.format === 'csv' ? 'csv' : undefined;
    const q = parseActivityQuery({ ...query, cursor: undefined, limit: undefined });
    if (!format || 'error' in q) return sendPage(reply, 400, badRequest(`The export could not be read: ${!format ? 'format must be csv or jsonl' : 'error' in q ? q.error : ''}.`));
    const { filters } = q;
    const tenant = entered.access.tenant;
    const stamp = deps.clock.now().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    // Page after page through the same listing, written as it is read: an export never holds more than a page in memory.
    async function* lines() {
      if (format === 'csv') yield CSV_HEADER;
      let cursor: string | undefined;
      for (let sent = 0; sent < EXPORT_MAX; ) {
        const page = await deps.listActivity(tenant, filters, { limit: Math.min(EXPORT_PAGE, EXPORT_MAX - sent), ...(cursor ? { cursor } : {}) });
        if (page.kind !== 'page') return;
        for (const a of page.actions) yield format === 'csv' ? csvRecord(exportRow(a)) : jsonLine(exportRow(a));
        sent += page.actions.length;
        if (!page.nextCursor) return;
        cursor = page.nextCursor;
      }
    }
    return reply
      .header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
      .header('content-disposition', `attachment; filename="airlock-${tenant}-activity-${stamp}.${format}"`)
      .header('cache-control', 'no-store')
      .send(Readable.from(lines()));
  });
}
