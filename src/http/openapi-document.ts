import pino from 'pino';
import { buildApp } from './build-app.js';
import { unlimited } from '../ports/rate-limiter.js';
import { createMetrics } from './metrics.js';

const unused = () => {
  throw new Error('the OpenAPI document is built without serving requests');
};

/**
 * The OpenAPI document, from the routes alone: an app built with inert
 * dependencies (no database, no request is served) answers what
 * GET /openapi.json serves. `npm run openapi` writes it to openapi.json.
 */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  const app = await buildApp({
    logger: pino({ level: 'silent' }),
    metrics: createMetrics(),
    isUnavailable: () => false,
    authenticate: unused,
    submitAction: unused,
    getAction: unused,
    listActions: unused,
    reportResult: unused,
    describeAgent: unused,
    rateLimiter: unlimited,
    maxWaitsPerAgent: 1,
    readiness: {},
  });
  try {
    await app.ready();
    return app.swagger() as unknown as Record<string, unknown>;
  } finally {
    await app.close();
  }
}
