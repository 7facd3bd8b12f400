import { unwatchFile, watchFile } from 'node:fs';
import type { Policy } from '../domain/policy-model.js';
import { FilePolicySource, type PolicyReload } from './file-policy-source.js';

/**
 * The shadow policy (POLICY_SHADOW_FILE): a candidate every live request is
 * also evaluated against. It never touches the live policy: a file that does
 * not load is refused (reported to `onResult`) and the last good shadow, or
 * none, stays; a later reload or change on disk tries the file again.
 */
export class ShadowPolicySource {
  private source?: FilePolicySource;

  private constructor(readonly path: string) {}

  /** Opens the file; an invalid one is reported and the server runs without a shadow until it loads. */
  static async open(path: string, onResult: (result: PolicyReload) => void): Promise<ShadowPolicySource> {
    const shadow = new ShadowPolicySource(path);
    onResult(await shadow.reloadNow());
    return shadow;
  }

  current(): Policy | undefined {
    return this.source?.current();
  }

  /** Reads the file again; never throws. */
  async reloadNow(): Promise<PolicyReload> {
    if (this.source) return this.source.reloadNow();
    try {
      this.source = await FilePolicySource.open(this.path);
      return { ok: true, version: this.source.current().fileVersion };
    } catch (error) {
      return { ok: false, error };
    }
  }

  /** Reloads when the file changes on disk, as the live policy does. */
  watch(onResult: (result: PolicyReload) => void): () => void {
    const reload = () => void this.reloadNow().then(onResult);
    watchFile(this.path, { interval: 1_000 }, reload);
    return () => unwatchFile(this.path, reload);
  }
}
