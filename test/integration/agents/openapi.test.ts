import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiTypes } from '../../../scripts/openapi-types.js';
import { startAirlock, type TestAirlock } from '../../support/airlock.js';

/**
 * The OpenAPI document is generated from the routes' zod schemas. The copy in
 * the repository (openapi.json) and the client's types generated from it must
 * be what the server serves: `npm run openapi` regenerates both.
 */
let t: TestAirlock;
let served: Record<string, any>;

beforeAll(async () => {
  t = await startAirlock();
  const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
  expect(res.statusCode).toBe(200);
  served = res.json();
});
afterAll(() => t.close());

const committed = () => JSON.parse(readFileSync('openapi.json', 'utf8'));
const responses = () => Object.values(served.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>).flatMap((ops) => Object.values(ops).map((o) => o.responses));

describe('GET /openapi.json', () => {
  it('serves an OpenAPI 3.1 document equal to the committed openapi.json (run `npm run openapi` after changing a schema)', () => {
    expect(served.openapi).toBe('3.1.0');
    expect(served).toEqual(committed());
  });

  it('the client’s committed types are generated from that document', async () => {
    expect(readFileSync('clients/typescript/src/openapi.ts', 'utf8')).toBe(await openApiTypes(committed()));
  });

  it('documents the agent routes, with the request schemas the routes validate with, and no chat-platform endpoint', () => {
    expect(Object.keys(served.paths).sort()).toEqual(['/healthz', '/metrics', '/readyz', '/v1/actions', '/v1/actions/{id}', '/v1/actions/{id}/result', '/v1/agent']);
    const submit = served.paths['/v1/actions'].post;
    expect(submit.security).toEqual([{ bearerAuth: [] }]);
    expect(submit.requestBody.content['application/json'].schema).toMatchObject({ required: ['tool', 'requester'], additionalProperties: false });
    expect(submit.parameters).toContainEqual(expect.objectContaining({ in: 'header', name: 'idempotency-key' }));
    expect(served.paths['/v1/actions/{id}'].get.parameters).toContainEqual(expect.objectContaining({ in: 'query', name: 'wait', schema: expect.objectContaining({ maximum: 60 }) }));
    expect(served.components.schemas.Action.properties.decision.enum).toEqual(['allow', 'constrain', 'queue_for_approval', 'deny', 'fallback']);
  });

  it('lists every status and error code of the HTTP API page’s error table', () => {
    const page = readFileSync('docs/http-api.md', 'utf8');
    const table = page.slice(page.indexOf('| status | code | when |'), page.indexOf('\n## '));
    const rows = [...table.matchAll(/^\| (\d{3}) \| (.+?) \|/gm)].map(([, status, codes]) => ({ status: status!, codes: [...codes!.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]!) }));
    expect(rows.length).toBeGreaterThanOrEqual(7);
    const documentedStatuses = new Set(responses().flatMap((r) => Object.keys(r)));
    for (const { status, codes } of rows) {
      expect(documentedStatuses, `status ${status}`).toContain(status);
      const schema = served.components.schemas[`Error${status}`];
      for (const code of codes) expect(schema.properties.error.properties.code.enum, `${status} ${code}`).toContain(code);
    }
  });
});
