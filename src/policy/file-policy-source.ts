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

/**
 * Holds the last good policy and reloads when the file changes or on SIGHUP.
 * A reload that fails validation is reported and ignored: the server keeps
 * deciding with the previous version.
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

  watch(onResult: (result: { ok: true; version: string } | { ok: false; error: unknown }) => void): () => void {
    const reload = () =>
      this.reload().then(
        (p) => onResult({ ok: true, version: p.fileVersion }),
        (error) => onResult({ ok: false, error }),
      );
    watchFile(this.path, { interval: 1_000 }, reload);
    process.on('SIGHUP', reload);
    return () => {
      unwatchFile(this.path, reload);
      process.off('SIGHUP', reload);
    };
  }
}
