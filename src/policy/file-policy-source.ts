import { existsSync, unwatchFile, watchFile } from 'node:fs';
import type { Policy } from '../domain/policy-model.js';
import type { PolicySource } from '../ports/policy-source.js';
import { AirlockError } from '../domain/errors.js';
import { readPolicyFile, type LoadedPolicy } from './load-policy.js';

export const DEFAULT_POLICY_FILE = './policy.yml';
export const EXAMPLE_POLICY_FILE = './examples/policy.yml';

/** POLICY_FILE, else ./policy.yml, else the shipped example (so a fresh clone runs). */
export function resolvePolicyPath(configured: string | undefined): { path: string; note?: string } {
  if (configured) return { path: configured };
  if (existsSync(DEFAULT_POLICY_FILE)) return { path: DEFAULT_POLICY_FILE };
  return { path: EXAMPLE_POLICY_FILE, note: `no ${DEFAULT_POLICY_FILE} and no POLICY_FILE set: using ${EXAMPLE_POLICY_FILE}` };
}

export type PolicyReload = { ok: true; version: string } | { ok: false; error: unknown };

/**
 * Holds the last good policy and reloads when the file changes (`watch`) or
 * when asked (`reloadNow`: main calls it on SIGHUP, since signals belong to the
 * process, not to a library). A reload that fails validation is reported and
 * ignored: the server keeps deciding with the previous version.
 */
export class FilePolicySource implements PolicySource {
  private readonly listeners = new Set<(loaded: LoadedPolicy) => void>();
  private refusal?: string;

  private constructor(private readonly path: string, private loaded: LoadedPolicy) {}

  /**
   * Opens the file. When it is invalid, `fallback` may supply the policy to
   * start from instead (the CLI's: the one the server last recorded) or
   * rethrow; a reload later still reads the file.
   */
  static async open(path: string, fallback?: (invalid: AirlockError) => Promise<LoadedPolicy>): Promise<FilePolicySource> {
    try {
      return new FilePolicySource(path, await readPolicyFile(path));
    } catch (e) {
      if (!fallback || !(e instanceof AirlockError)) throw e;
      const source = new FilePolicySource(path, await fallback(e));
      source.refusal = refusalLine(e);
      return source;
    }
  }

  current(): Policy {
    return this.loaded.policy;
  }

  /** The policy with the text it came from. */
  currentLoaded(): LoadedPolicy {
    return this.loaded;
  }

  /** Calls `listener` after every successful reload (SIGHUP, a change on disk, a reload request); returns what stops it. */
  onReloaded(listener: (loaded: LoadedPolicy) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Why the file on disk was refused, in one line, when its last load failed
   * and an older policy is live; undefined once a load succeeds. /readyz and
   * /metrics report it, so a bad edit is not left unnoticed in the log.
   */
  refused(): string | undefined {
    return this.refusal;
  }

  async reload(): Promise<Policy> {
    try {
      this.loaded = await readPolicyFile(this.path);
    } catch (err) {
      this.refusal = refusalLine(err);
      throw err;
    }
    this.refusal = undefined;
    for (const listener of this.listeners) listener(this.loaded);
    return this.loaded.policy;
  }

  /** Reloads the file; never throws: a refused file keeps the last good policy. */
  reloadNow(): Promise<PolicyReload> {
    return this.reload().then(
      (p) => ({ ok: true, version: p.fileVersion }),
      (error: unknown) => ({ ok: false, error }),
    );
  }

  watch(onResult: (result: PolicyReload) => void): () => void {
    const reload = () => void this.reloadNow().then(onResult);
    watchFile(this.path, { interval: 1_000 }, reload);
    return () => unwatchFile(this.path, reload);
  }
}

/** The error and its first detail on one line; `policy check` lists them all. */
function refusalLine(err: unknown): string {
  const details = err instanceof AirlockError ? err.details : [];
  const first = details[0] ? `: ${details[0].path}: ${details[0].message}` : '';
  const more = details.length > 1 ? ` (and ${details.length - 1} more)` : '';
  // A parser message may end in a colon that introduced the multi-line excerpt left out here.
  return `${err instanceof Error ? err.message : String(err)}${first}${more}`.replace(/\s+/g, ' ').replace(/:\s*$/, '').slice(0, 500);
}
