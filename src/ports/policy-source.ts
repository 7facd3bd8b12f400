import type { Policy } from '../domain/policy-model.js';

/** The last good policy. Reloads that fail validation keep the previous one. */
export interface PolicySource {
  current(): Policy;
}
