import type { FastifyInstance } from 'fastify';
import type { ConsoleDeps } from '../console-deps.js';
import { dashboardPage } from '../pages/dashboard.js';
import { isWindow, WINDOWS } from '../pages/dashboard-data.js';
import { chromeFor, sendPage } from '../reply-page.js';
import { enterAsReader } from './reader-access.js';

/** The dashboard: `airlock report` over the chosen window, with its decisions over time, in one page (its chart data embedded). */
export function dashboardRoutes(app: FastifyInstance, deps: ConsoleDeps) {
  app.get('/t/:tenant/dashboard', async (req, reply) => {
    const entered = enterAsReader(deps, req, reply);
    if (!entered) return reply;
    const asked = (req.query as { window?: unknown }).window;
    // An unknown window is not an error worth a page: the default one is shown, and the picker says which.
    const window = isWindow(asked) ? asked : '7d';
    const report = await deps.report({ tenant: entered.access.tenant, since: window, slice: WINDOWS[window] });
    return sendPage(reply, 200, dashboardPage({ tenant: entered.access.tenant, window, report }, chromeFor(req, reply, entered.s, deps.policy.current(), entered.access)));
  });
}
