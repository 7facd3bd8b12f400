import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { migrationOrderProblems } from '../../../support/migration-order.js';

const DIR = fileURLToPath(new URL('../../../../src/infra/postgres/migrations/', import.meta.url));

async function history(): Promise<string[]> {
  const text = await readFile(`${DIR}history.txt`, 'utf8');
  return text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
}

describe('migration order', () => {
  it('numbers every migration above those that landed before it, and lists each one', async () => {
    const onDisk = (await readdir(DIR)).filter((f) => /^\d{4}_.+\.sql$/.test(f));
    expect(migrationOrderProblems(await history(), onDisk)).toEqual([]);
  });

  it('refuses a new migration numbered below one already landed', async () => {
    const landed = await history();
    const highest = landed.map((f) => f.slice(0, 4)).sort().at(-1);
    const misnumbered = '0020_late.sql';
    expect(migrationOrderProblems([...landed, misnumbered], [...landed, misnumbered])).toEqual([
      `0020_late.sql is numbered 0020, not above ${highest} that landed before it: renumber it above every migration`,
    ]);
  });

  it('refuses a migration that is on disk but not in the history', async () => {
    const landed = await history();
    expect(migrationOrderProblems(landed, [...landed, '0099_new.sql'])).toEqual([
      '0099_new.sql is not in migrations/history.txt: append it there',
    ]);
  });

  it('refuses two migrations with one number', async () => {
    const landed = await history();
    const twins = ['0099_a.sql', '0099_b.sql'];
    expect(migrationOrderProblems([...landed, ...twins], [...landed, ...twins])).toContain('two migrations share the number 0099');
  });
});
