/**
 * npm run openapi: writes openapi.json (the agent API's OpenAPI document, as
 * GET /openapi.json serves it) and the TypeScript client's types generated
 * from it (clients/typescript/src/openapi.ts). Tests fail until both are
 * regenerated after a change to the routes' schemas.
 */
import { writeFileSync } from 'node:fs';
import { openApiDocument } from '../src/http/openapi-document.js';
import { openApiTypes } from './openapi-types.js';

const document = await openApiDocument();
writeFileSync('openapi.json', `${JSON.stringify(document, null, 2)}\n`);
writeFileSync('clients/typescript/src/openapi.ts', await openApiTypes(document));
console.log('wrote openapi.json and clients/typescript/src/openapi.ts');
