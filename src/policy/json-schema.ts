import { z } from 'zod';
import { policyFileSchema } from './schema.js';

/** JSON Schema of the policy file as a person writes it (defaults optional), for editors. */
export const policyJsonSchema = () =>
  z.toJSONSchema(policyFileSchema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' });
