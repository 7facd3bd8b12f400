import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import pkg from '../../package.json' with { type: 'json' };

/**
 * The OpenAPI 3.1 document of the agent API, generated from the zod schemas
 * the routes validate with and answer with, served at GET /openapi.json (and
 * committed as openapi.json; a test keeps the two equal). Only tagged routes
 * appear: the chat platforms' endpoints (Slack, Teams) are not for agents.
 * Register before the routes: it learns them as they are added.
 */
type OpenApiObject = { components?: { schemas?: Record<string, unknown> } } & Record<string, unknown>;

/** The transform lists an input and an output variant of every named schema; keep the ones the document refers to. */
function withoutUnusedSchemas(document: OpenApiObject): OpenApiObject {
  const schemas = document.components?.schemas ?? {};
  const referenced = new Set<string>();
  const visit = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') {
      for (const [k, inner] of Object.entries(v)) {
        if (k === '$ref' && typeof inner === 'string' && !referenced.has(inner)) {
          referenced.add(inner);
          visit(schemas[inner.replace('#/components/schemas/', '')]);
        } else visit(inner);
      }
    }
  };
  visit(document.paths);
  const kept = Object.fromEntries(Object.entries(schemas).filter(([name]) => referenced.has(`#/components/schemas/${name}`)));
  return { ...document, components: { ...document.components, schemas: kept } };
}

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Airlock agent API',
        version: pkg.version,
        description:
          'Agents submit the tool actions they want to take; a policy decides allow, constrain, deny, fallback or queue_for_approval; queued actions wait for human reviewers. Fail closed: an error is never permission.',
      },
      tags: [
        { name: 'actions', description: 'submit, wait for, and report actions' },
        { name: 'agent', description: 'what the policy lets the calling agent do' },
        { name: 'health', description: 'liveness, readiness and metrics (no key)' },
      ],
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'an agent key: npm run airlock -- agent create --tenant T --name N' } },
      },
    },
    hideUntagged: true,
    transform: jsonSchemaTransform,
    transformObject: (document) => withoutUnusedSchemas(jsonSchemaTransformObject(document) as OpenApiObject) as ReturnType<typeof jsonSchemaTransformObject>,
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
