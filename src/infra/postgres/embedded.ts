import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, rm, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import lockfile from 'proper-lockfile';
import { EmbeddedPostgresError } from './embedded-postgres-error.js';
import { loadPostgresBinaries, type PostgresBinaries } from './postgres-binaries.js';
import { postgresUser, type PostgresUser } from './postgres-user.js';

const run = promisify(execFile);

/**
 * The port is derived from the data directory, so the server and the CLI of one
 * checkout always meet on the same cluster, and two checkouts never collide.
 */
export const embeddedPort = (databaseDir: string) =>
  54330 + (Number.parseInt(createHash('sha256').update(databaseDir).digest('hex').slice(0, 8), 16) % 1000);
const DATABASE = 'airlock';
// Loopback only, local development data: a fixed password is fine and lets the
// CLI reach the same cluster the server started.
const PASSWORD = 'airlock-embedded';
// Every Airlock process using the cluster holds one connection named so; see `leave`.
const LEASE = 'airlock-embedded-lease';

export interface EmbeddedDatabase {
  url: string;
  /** Leaves the cluster; the last Airlock process to leave stops it. */
  stop(): Promise<void>;
}

const urlFor = (port: number, database = DATABASE) => `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/${database}`;

async function connect(url: string, applicationName?: string): Promise<pg.Client | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000, application_name: applicationName });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return client;
  } catch {
    await client.end().catch(() => undefined);
    return undefined;
  }
}

async function answers(url: string): Promise<boolean> {
  const client = await connect(url);
  await client?.end().catch(() => undefined);
  return client !== undefined;
}

/**
 * With no DATABASE_URL, Airlock runs a real Postgres (the binaries of
 * the `embedded-postgres` package) with data under `<dataDir>/pg`.
 *
 * Several Airlock processes share one cluster (the server, and the CLI run
 * next to it): starting and stopping are serialised by a lock directory under
 * the data directory, so processes started together never race to initialise
 * or start it; the first one starts it and the others reuse it. Postgres runs
 * in its own session (pg_ctl), so a Ctrl-C in the terminal reaches Airlock and
 * not Postgres, and Airlock stops it last, after answering what was in flight.
 */
export async function startEmbeddedPostgres(dataDir: string, log: (msg: string) => void): Promise<EmbeddedDatabase> {
  const root = resolve(dataDir);
  const cluster = new Cluster(root, await loadPostgresBinaries(), log);
  await cluster.prepare();
  const lease = await cluster.locked(async () => {
    if (!(await answers(urlFor(cluster.port, 'postgres')))) await cluster.start();
    await cluster.ensureDatabase();
    const client = await connect(cluster.url, LEASE);
    if (!client) throw new EmbeddedPostgresError(`the embedded Postgres on 127.0.0.1:${cluster.port} does not accept connections (log: ${cluster.logFile})`);
    return client;
  });
  let left: Promise<void> | undefined;
  return { url: cluster.url, stop: () => (left ??= cluster.locked(() => cluster.leave(lease))) };
}

class Cluster {
  readonly dir: string;
  readonly port: number;
  readonly url: string;
  readonly logFile: string;
  private user: PostgresUser | undefined;

  constructor(
    private readonly root: string,
    private readonly binaries: PostgresBinaries,
    private readonly log: (msg: string) => void,
  ) {
    this.dir = resolve(root, 'pg');
    this.port = embeddedPort(this.dir);
    this.url = urlFor(this.port);
    this.logFile = resolve(this.dir, 'postgres.log');
  }

  /** Checks, before writing anything else, that Postgres will be able to run here. */
  async prepare(): Promise<void> {
    this.user = await postgresUser(this.binaries, this.log);
    const created = await mkdir(this.root, { recursive: true });
    try {
      await this.user.assertCanEnter(this.root);
    } catch (err) {
      if (created) await rm(created, { recursive: true, force: true });
      throw err;
    }
  }

  async locked<T>(fn: () => Promise<T>): Promise<T> {
    const lockPath = resolve(this.root, 'embedded-postgres.lock');
    let release: () => Promise<void>;
    try {
      release = await lockfile.lock(this.root, {
        lockfilePath: lockPath,
        realpath: false,
        stale: 15_000,
        // Another process may be initialising the cluster: wait up to two minutes.
        retries: { retries: 600, factor: 1, minTimeout: 200, maxTimeout: 200 },
        onCompromised: (err) => this.log(`embedded Postgres lock ${lockPath} lost: ${err.message}`),
      });
    } catch (err) {
      throw new EmbeddedPostgresError(
        `another Airlock process has been starting or stopping the embedded Postgres for two minutes (lock ${lockPath}: ${(err as Error).message}); if none is running, remove ${lockPath}`,
      );
    }
    try {
      return await fn();
    } finally {
      await release().catch(() => undefined);
    }
  }

  async start(): Promise<void> {
    if (!existsSync(resolve(this.dir, 'PG_VERSION'))) await this.initialise();
    const logOffset = await fileSize(this.logFile);
    try {
      // -w waits until Postgres accepts connections. No Unix socket: Airlock connects over TCP only.
      await this.pg('pg_ctl', ['start', '-D', this.dir, '-l', this.logFile, '-w', '-t', '60', '-s', '-o', `-p ${this.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=`]);
    } catch (err) {
      const why = (await problemsLoggedSince(this.logFile, logOffset)) || oneLine(err);
      throw new EmbeddedPostgresError(`the embedded Postgres did not start on 127.0.0.1:${this.port}: ${why} (log: ${this.logFile})`);
    }
    this.log(`embedded Postgres listening on 127.0.0.1:${this.port}`);
  }

  async ensureDatabase(): Promise<void> {
    const admin = await connect(urlFor(this.port, 'postgres'));
    if (!admin) throw new EmbeddedPostgresError(`the embedded Postgres does not accept connections on 127.0.0.1:${this.port} (log: ${this.logFile})`);
    try {
      const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
      if (!rowCount) await admin.query(`CREATE DATABASE ${DATABASE}`);
    } finally {
      await admin.end().catch(() => undefined);
    }
  }

  private async initialise(): Promise<void> {
    this.log(`initialising embedded Postgres in ${this.dir}`);
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await this.user!.own(this.dir);
    // initdb reads the superuser's password from a file: private to this user, under the data directory, removed at once.
    const pwfile = resolve(this.root, `.pg-password-${randomBytes(6).toString('hex')}`);
    await writeFile(pwfile, `${PASSWORD}\n`, { mode: 0o600, flag: 'wx' });
    try {
      await this.user!.own(pwfile);
      await this.pg('initdb', ['-D', this.dir, '--auth=scram-sha-256', '--username=postgres', `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C']);
    } catch (err) {
      // A half-initialised directory would make every later start fail.
      await rm(this.dir, { recursive: true, force: true });
      throw new EmbeddedPostgresError(`initialising the embedded Postgres in ${this.dir} failed: ${oneLine(err)}`);
    } finally {
      await rm(pwfile, { force: true });
    }
  }

  /**
   * Gives up this process's lease; the last process to leave stops the
   * cluster. Each process holds its lease from start to stop, and both happen
   * under the lock, so a process that starts while another stops never finds
   * the cluster gone under it.
   */
  async leave(lease: pg.Client): Promise<void> {
    await lease.end().catch(() => undefined);
    const probe = await connect(this.url);
    if (!probe) return; // already stopped
    let others: number;
    try {
      const { rows } = await probe.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()",
      );
      others = rows[0]!.n;
    } finally {
      await probe.end().catch(() => undefined);
    }
    if (others > 0) {
      this.log(`embedded Postgres left running: ${others} other connection(s) use it`);
      return;
    }
    try {
      await this.pg('pg_ctl', ['stop', '-D', this.dir, '-m', 'fast', '-w', '-t', '60', '-s']);
    } catch (err) {
      throw new EmbeddedPostgresError(`stopping the embedded Postgres failed: ${oneLine(err)} (log: ${this.logFile})`);
    }
    this.log('embedded Postgres stopped');
  }

  private pg(binary: 'initdb' | 'pg_ctl', args: string[]) {
    // English messages, whatever the machine's locale: they are what Airlock reports.
    return run(this.binaries[binary], args, { ...this.user!.spawn, env: { ...process.env, LC_MESSAGES: 'C' } });
  }
}

async function fileSize(path: string): Promise<number> {
  const f = await open(path, 'r').catch(() => undefined);
  if (!f) return 0;
  try {
    return (await f.stat()).size;
  } finally {
    await f.close();
  }
}

/** What went wrong, from the lines Postgres logged since `offset`: its errors, and the "could not …" lines before them. */
async function problemsLoggedSince(path: string, offset: number): Promise<string> {
  const f = await open(path, 'r').catch(() => undefined);
  if (!f) return '';
  try {
    const { size } = await f.stat();
    const length = Math.min(size - offset, 64 * 1024);
    if (length <= 0) return '';
    const buf = Buffer.alloc(length);
    await f.read(buf, 0, length, size - length);
    return buf
      .toString('utf8')
      .split('\n')
      .map((line) => /\b(LOG|FATAL|PANIC|ERROR):\s+(.*)$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null && (m[1] !== 'LOG' || m[2]!.startsWith('could not')))
      .map((m) => m[2]!.trim())
      .join('; ');
  } finally {
    await f.close();
  }
}

/** A child process's failure as one line: the last thing it printed, else its error. */
function oneLine(err: unknown): string {
  const e = err as { stderr?: string; message?: string; code?: unknown };
  const said = (e.stderr ?? '').trim().split('\n').filter(Boolean).pop();
  return (said ?? e.message ?? String(err)).replace(/\s+/g, ' ');
}
