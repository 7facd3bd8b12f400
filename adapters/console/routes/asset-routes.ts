import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import { notFound } from '../pages/notices.js';
import { sendPage } from '../reply-page.js';

const require = createRequire(import.meta.url);

/** Every file the console's pages load, served by Airlock itself (no CDN: it works in a closed network). */
const ASSETS: Record<string, string> = {
  'console.css': 'text/css; charset=utf-8',
  'local-time.js': 'text/javascript; charset=utf-8',
  'dashboard-chart.js': 'text/javascript; charset=utf-8',
};

/** The dashboard's chart library, served from its npm package as installed (its version is package-lock's). */
const PACKAGED: Record<string, { type: string; file: string }> = {
  'uPlot.iife.min.js': { type: 'text/javascript; charset=utf-8', file: 'uplot/dist/uPlot.iife.min.js' },
  'uPlot.min.css': { type: 'text/css; charset=utf-8', file: 'uplot/dist/uPlot.min.css' },
};

/** The assets, read once at start; only the names above exist (no path from a request reaches the file system). */
export function assetRoutes(app: FastifyInstance) {
  const files = new Map(Object.entries(ASSETS).map(([name, type]) => [name, { type, body: readFileSync(new URL(`../assets/${name}`, import.meta.url)) }]));
  for (const [name, { type, file }] of Object.entries(PACKAGED)) files.set(name, { type, body: readFileSync(require.resolve(file)) });
  app.get('/assets/:name', async (req, reply) => {
    const file = files.get((req.params as { name: string }).name);
    if (!file) return sendPage(reply, 404, notFound());
    return reply.header('content-type', file.type).header('cache-control', 'public, max-age=300').send(file.body);
  });
}
