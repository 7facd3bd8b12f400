import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const engines = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { engines: { node: string } }).engines.node;
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const dockerfile = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');

describe('supported Node versions', () => {
  it('are stated in the README exactly as package.json engines declares them', () => {
    expect(readme).toContain(`\`engines\` in \`package.json\`: \`${engines}\``);
  });

  it('admit the Node line the Docker image runs', () => {
    const image = Number(dockerfile.match(/^FROM node:(\d+)/m)![1]);
    const admits = engines.split('||').some((alt) => {
      const [, op, major] = alt.trim().match(/^(\^|>=)(\d+)\./)!;
      return op === '^' ? image === Number(major) : image >= Number(major);
    });
    expect(admits).toBe(true);
  });
});
