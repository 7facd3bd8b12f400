import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { AuditCheckpoint } from '../../src/ports/audit-log.js';

const checkpointSchema = z.strictObject({
  tenant: z.string().min(1),
  block: z.number().int().min(0),
  seq: z.number().int().min(0),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  at: z.string().min(1),
  mac: z.string().regex(/^[0-9a-f]{64}$/),
});

/** A checkpoint that cannot be read: the command was called wrong. */
export class CheckpointError extends Error {}

/** Checkpoints of `tenant` from each source: a checkpoint line itself, or a file of them (one per line). */
export async function readCheckpoints(sources: string[], tenant: string): Promise<AuditCheckpoint[]> {
  const found: AuditCheckpoint[] = [];
  for (const source of sources) {
    const inline = source.trimStart().startsWith('{');
    let text: string;
    try {
      text = inline ? source : await readFile(source, 'utf8');
    } catch (e) {
      throw new CheckpointError(`cannot read checkpoint file ${source}: ${(e as Error).message}`);
    }
    const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
    let mine = 0;
    for (const [i, line] of lines.entries()) {
      const where = inline ? 'checkpoint' : `${source}:${i + 1}`;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        throw new CheckpointError(`${where}: not a checkpoint line (JSON printed by \`audit checkpoint\`)`);
      }
      const c = checkpointSchema.safeParse(parsed);
      if (!c.success) throw new CheckpointError(`${where}: not a checkpoint line (${c.error.issues.map((x) => `${x.path.join('.') || 'line'}: ${x.message}`).join('; ')})`);
      if (c.data.tenant !== tenant) continue;
      found.push(c.data);
      mine += 1;
    }
    if (mine === 0) throw new CheckpointError(`${inline ? 'the checkpoint given' : source} holds no checkpoint of tenant ${JSON.stringify(tenant)}`);
  }
  return found;
}

export const latestCheckpoint = (cs: AuditCheckpoint[]): AuditCheckpoint => cs.reduce((a, b) => (b.seq > a.seq || (b.seq === a.seq && b.block > a.block) ? b : a));
