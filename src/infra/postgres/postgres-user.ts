import { execFile } from 'node:child_process';
import { chown } from 'node:fs/promises';
import { promisify } from 'node:util';
import { EmbeddedPostgresError } from './embedded-postgres-error.js';
import type { PostgresBinaries } from './postgres-binaries.js';

const run = promisify(execFile);

/** Who runs the Postgres binaries: this process's user, or (as root) the `postgres` user. */
export interface PostgresUser {
  /**
   * Options for spawning a Postgres binary. The working directory is `/`, so
   * a binary never depends on being able to enter the caller's directory.
   */
  spawn: { uid?: number; gid?: number; cwd: string };
  /** Hands a file or directory Airlock created to that user. */
  own(path: string): Promise<void>;
  /** Throws a one-line EmbeddedPostgresError unless that user can enter `dir` (and so every directory above it). */
  assertCanEnter(dir: string): Promise<void>;
}

const OR_ELSE = 'set DATABASE_URL to a Postgres server, or run Airlock as a user other than root';

const ASIS: PostgresUser = { spawn: { cwd: '/' }, own: async () => undefined, assertCanEnter: async () => undefined };

async function ids(name: string): Promise<{ uid: number; gid: number } | undefined> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
    return { uid: Number.parseInt(uid.stdout, 10), gid: Number.parseInt(gid.stdout, 10) };
  } catch {
    return undefined;
  }
}

/**
 * Postgres refuses to run as root, and root in a container is common: there,
 * the binaries run as the `postgres` user, created as a system user when the
 * machine has none (what a Postgres package would do). That user must be able
 * to reach the binaries and the data directory; when it cannot (a clone under
 * /root, mode 700), this says so in one line before anything is written.
 */
export async function postgresUser(binaries: PostgresBinaries, log: (msg: string) => void): Promise<PostgresUser> {
  if (process.getuid?.() !== 0) return ASIS;
  let user = await ids('postgres');
  if (!user) {
    try {
      await run('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
    } catch {
      throw new EmbeddedPostgresError(
        `running as root, the embedded Postgres needs a "postgres" user to run as (Postgres refuses to run as root) and it could not be created with useradd: create one, ${OR_ELSE}`,
      );
    }
    user = await ids('postgres');
    if (!user) throw new EmbeddedPostgresError(`running as root, the "postgres" user could not be found after creating it: ${OR_ELSE}`);
    log('created the system user "postgres" to run the embedded Postgres (Postgres refuses to run as root)');
  }
  const spawn = { uid: user.uid, gid: user.gid, cwd: '/' };
  try {
    await run(binaries.initdb, ['--version'], spawn);
  } catch (err) {
    throw new EmbeddedPostgresError(
      `running as root, Airlock runs the embedded Postgres as the "postgres" user (Postgres refuses to run as root), and that user cannot run ${binaries.initdb} (${(err as NodeJS.ErrnoException).code ?? 'failed'}): install Airlock in a directory other users can enter (not under /root), ${OR_ELSE}`,
    );
  }
  return {
    spawn,
    own: (path) => chown(path, user.uid, user.gid),
    assertCanEnter: async (dir) => {
      try {
        await run('/bin/sh', ['-c', 'cd -- "$1"', 'sh', dir], spawn);
      } catch {
        throw new EmbeddedPostgresError(
          `running as root, Airlock runs the embedded Postgres as the "postgres" user (Postgres refuses to run as root), and that user cannot enter ${dir}: set AIRLOCK_DATA_DIR to a directory other users can enter (not under /root), ${OR_ELSE}`,
        );
      }
    },
  };
}
