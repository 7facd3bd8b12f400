import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const out = mkdtempSync(path.join(tmpdir(), 'airlock-client-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('the @airlock/client package', () => {
  it('depends on nothing at run time', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.type).toBe('module');
    expect(pkg.exports['.']).toMatchObject({ types: './dist/index.d.ts', import: './dist/index.js' });
  });

  it('builds to ESM with type declarations that plain Node runs without TypeScript tooling', async () => {
    await run(process.execPath, [path.resolve('node_modules/typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json'), '--outDir', out]);
    expect(existsSync(path.join(out, 'index.d.ts'))).toBe(true);
    const script = `
      import { Airlock, verifyCallback, AirlockClientError } from ${JSON.stringify(path.join(out, 'index.js'))};
      const a = new Airlock({ url: 'http://127.0.0.1:9', agentKey: 'k', retry: { attempts: 1 } });
      const e = await a.submit({ tool: 't', requester: { id: 'u' } }).catch((e) => e);
      const v = await verifyCallback('{}', 't=1,v1=' + '0'.repeat(64), 's').catch((e) => e);
      console.log(JSON.stringify([e instanceof AirlockClientError, e.kind, v.kind]));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script]);
    expect(JSON.parse(stdout)).toEqual([true, 'unreachable', 'signature']);
  });
});
