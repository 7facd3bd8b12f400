import { existsSync, unwatchFile, watchFile } from 'node:fs';
import type { Policy } from '../domain/policy-model.js';
import type { PolicySource } from '../ports/policy-source.js';
import { loadPolicyFile } from './load-policy.js';

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
  private constructor(private readonly path: string, private policy: Policy) {}

  static async open(path: string): Promise<FilePolicySource> {
    return new FilePolicySource(path, await loadPolicyFile(path));
  }

  current(): Policy {
    return this.policy;
  }

  async reload(): Promise<Policy> {
    this.policy = await loadPolicyFile(this.path);
    return this.policy;
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
