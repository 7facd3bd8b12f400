import type { ActionListQuery, TenantListQuery } from '../../ports/action-store.js';
import { ACTION_SELECT } from './action-row.js';

/**
 * The statement behind ActionStore.listOwn: a keyset page over the
 * actions_agent_created index (tenant, agent, created_at DESC, id DESC). The
 * row comparison resumes right after the last position returned, so a page
 * costs its own rows whatever page it is; status and tool are checked on the
 * rows the index yields. Only the conditions asked for are written, so each
 * statement is planned for what it filters.
 */
export function listActionsStatement(q: ActionListQuery): { text: string; values: unknown[] } {
  const values: unknown[] = [q.tenant, q.agent];
  const where = ['a.tenant_id = $1', 'a.agent = $2'];
  const param = (v: unknown) => `$${values.push(v)}`;
  if (q.status) where.push(`a.status = ${param(q.status)}`);
  if (q.tool) where.push(`a.tool = ${param(q.tool)}`);
  if (q.since) where.push(`a.created_at >= ${param(q.since)}`);
  if (q.until) where.push(`a.created_at < ${param(q.until)}`);
  if (q.before) where.push(`(a.created_at, a.id) < (${param(q.before.createdAt)}::timestamptz, ${param(q.before.id)}::uuid)`);
  return {
    // The position is written by Postgres, to the microsecond it stores. The
    // outer ORDER BY costs nothing: the page comes out of the index in that order.
    text: `SELECT page.*, to_char(page.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS position_at
      FROM (${ACTION_SELECT} WHERE ${where.join(' AND ')} ORDER BY a.created_at DESC, a.id DESC LIMIT ${param(q.limit)}) page
      ORDER BY page.created_at DESC, page.id DESC`,
    values,
  };
}

/**
 * The tenant-wide listing of the console's activity page, newest first: the
 * same shape and position as the agent's own listing, read from the
 * (tenant, creation time) index.
 */
export function listTenantActionsStatement(q: TenantListQuery): { text: string; values: unknown[] } {
  const values: unknown[] = [q.tenant];
  const where = ['a.tenant_id = $1'];
  const param = (v: unknown) => `$${values.push(v)}`;
  if (q.agent) where.push(`a.agent = ${param(q.agent)}`);
  if (q.tool) where.push(`a.tool = ${param(q.tool)}`);
  if (q.decision) where.push(`a.decision = ${param(q.decision)}`);
  if (q.status) where.push(`a.status = ${param(q.status)}`);
  if (q.since) where.push(`a.created_at >= ${param(q.since)}`);
  if (q.until) where.push(`a.created_at < ${param(q.until)}`);
  if (q.before) where.push(`(a.created_at, a.id) < (${param(q.before.createdAt)}::timestamptz, ${param(q.before.id)}::uuid)`);
  return {
    text: `SELECT page.*, to_char(page.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS position_at
      FROM (${ACTION_SELECT} WHERE ${where.join(' AND ')} ORDER BY a.created_at DESC, a.id DESC LIMIT ${param(q.limit)}) page
      ORDER BY page.created_at DESC, page.id DESC`,
    values,
  };
}
