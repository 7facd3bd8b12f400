import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/policy/load-policy.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Every Markdown file a reader of a clone may open: the README, docs/, and the READMEs of folders. */
function markdownFiles(): string[] {
  const found: string[] = ['README.md', 'BENCHMARKS.md'];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.md')) found.push(path);
    }
  };
  for (const dir of ['docs', 'src', 'adapters', 'clients', 'examples']) if (existsSync(join(ROOT, dir))) walk(dir);
  return found;
}

/** Text outside fenced code blocks (a link in a code sample is not a link). */
const prose = (text: string): string => text.split(/^```.*$/m).filter((_, i) => i % 2 === 0).join('\n');

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
const slug = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[`*_]/g, '')
    .replace(/[^\p{L}\p{N} -]/gu, '')
    .replace(/ /g, '-');

const anchorsOf = (file: string): Set<string> =>
  new Set([...prose(readFileSync(join(ROOT, file), 'utf8')).matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!)));

function brokenLinks(file: string): string[] {
  const text = prose(readFileSync(join(ROOT, file), 'utf8'));
  const broken: string[] = [];
  for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^(https?:|mailto:)/.test(target!)) continue;
    const [path, anchor] = target!.split('#') as [string, string | undefined];
    const resolved = path === '' ? file : relative(ROOT, join(ROOT, dirname(file), path));
    if (!existsSync(join(ROOT, resolved))) {
      broken.push(`${file}: ${target} (no file ${resolved})`);
      continue;
    }
    if (anchor !== undefined && resolved.endsWith('.md') && !anchorsOf(resolved).has(anchor)) broken.push(`${file}: ${target} (no heading #${anchor})`);
  }
  return broken;
}

describe('the documentation', () => {
  it('has no link to a file or heading that does not exist', () => {
    const files = markdownFiles();
    expect(files.length).toBeGreaterThan(10);
    expect(files.flatMap(brokenLinks)).toEqual([]);
  });

  it('links every page of docs/ from the README, which stays short enough to read in a minute', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const page of readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md'))) expect(readme).toContain(`](docs/${page})`);
    expect(Buffer.byteLength(readme)).toBeLessThan(12 * 1024);
  });

  it('shows a policy excerpt in the README that is a valid policy', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const excerpt = /## A policy in brief[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(excerpt).toBeDefined();
    expect(() => parsePolicy(excerpt!)).not.toThrow();
  });

  it('never sends a reader to files a clone does not have, nor cites specification sections or issue numbers', () => {
    for (const file of markdownFiles()) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      expect(text, file).not.toMatch(/\.\.\/shared|SPEC\.md|SPEC §|§\s?\d|issue #\d/);
    }
  });
});
