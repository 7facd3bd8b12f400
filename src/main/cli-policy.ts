import type { Pool } from 'pg';
import { AirlockError } from '../domain/errors.js';
import type { Policy } from '../domain/policy-model.js';
import { PgLivePolicy } from '../infra/postgres/live-policy.js';
import { FilePolicySource } from '../policy/file-policy-source.js';
import { parsePolicy } from '../policy/load-policy.js';

/**
 * The policy a CLI command works from: the file, or, when a bad edit made it
 * invalid, the policy the server last loaded and still runs (it refuses the
 * broken file too), with a warning. Without that the CLI, the way out when
 * chat or the file is broken, would refuse every command. Only when no server
 * ever recorded a policy on this database is the command refused, saying how
 * to get past it.
 */
export function openCliPolicy(path: string, pool: Pool, warn: (line: string) => void): Promise<FilePolicySource> {
  return FilePolicySource.open(path, async (invalid) => {
    const recorded = await new PgLivePolicy(pool).latest();
    const policy = recorded && parseRecorded(recorded.body);
    if (!recorded || !policy) {
      throw new AirlockError(
        'policy_invalid',
        `${invalid.message}, and no running server has recorded a policy in this database to fall back on: fix ${path} (\`npm run airlock -- policy check\` lists every error) or set POLICY_FILE to a valid policy`,
        { details: invalid.details, cause: invalid },
      );
    }
    const errors = invalid.details.length;
    warn(
      `${path} is invalid (${errors > 0 ? `${errors} error(s); ` : ''}\`npm run airlock -- policy check\` lists them): ` +
        `using the policy the server last loaded and still runs (version ${recorded.fileVersion}, loaded ${recorded.loadedAt.toISOString()})`,
    );
    return { policy, text: recorded.body };
  });
}

/** A recorded policy the current code can no longer parse is no fallback. */
function parseRecorded(body: string) {
  try {
    return parsePolicy(body);
  } catch {
    return undefined;
  }
}

/**
 * The policy the servers run: the one a server last recorded loading, which
 * is what decided and decides the tenant's requests; the file only when no
 * server ever recorded one on this database.
 */
export async function livePolicy(pool: Pool, path: string, warn: (line: string) => void): Promise<Policy> {
  const recorded = await new PgLivePolicy(pool).latest();
  const policy = recorded && parseRecorded(recorded.body);
  if (policy) return policy;
  return (await openCliPolicy(path, pool, warn)).current();
}
