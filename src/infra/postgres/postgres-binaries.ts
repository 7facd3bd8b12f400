import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { pathToFileURL } from 'node:url';
import { EmbeddedPostgresError } from './embedded-postgres-error.js';

export interface PostgresBinaries {
  initdb: string;
  pg_ctl: string;
  postgres: string;
}

/**
 * The Postgres binaries that the `embedded-postgres` package installs for this
 * platform (its optional dependency `@embedded-postgres/<os>-<arch>`),
 * resolved from where `embedded-postgres` itself is installed, so only when
 * the embedded database is used.
 *
 * The package's own entry point is deliberately not imported: on import it
 * installs exit hooks that call `process.exit` on SIGHUP, SIGINT and SIGTERM
 * (so a SIGHUP killed the server and a Ctrl-C cut off in-flight requests), and
 * its start-up runs Postgres in the terminal's process group, rejects with
 * `undefined` when Postgres fails, and leaves a password file in /tmp. Airlock
 * runs the binaries with Postgres's own `initdb` and `pg_ctl` instead
 * (./embedded.ts).
 */
export async function loadPostgresBinaries(): Promise<PostgresBinaries> {
  const os = platform() === 'win32' ? 'windows' : platform();
  const name = `@embedded-postgres/${os}-${arch()}`;
  let entry: string;
  try {
    entry = createRequire(import.meta.resolve('embedded-postgres')).resolve(name);
  } catch {
    throw new EmbeddedPostgresError(
      `no embedded Postgres for ${os}-${arch()} is installed (package ${name}, an optional dependency of embedded-postgres); set DATABASE_URL to a Postgres server`,
    );
  }
  const binaries = (await import(pathToFileURL(entry).href)) as PostgresBinaries;
  return { initdb: binaries.initdb, pg_ctl: binaries.pg_ctl, postgres: binaries.postgres };
}
