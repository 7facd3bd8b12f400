import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { BOT_COMMANDS, MANIFEST_SCHEMA } from '../../../../adapters/teams/app-package/manifest.js';
import { buildAppPackage } from '../../../../scripts/teams-app-package.js';

const APP_ID = '00000000-0000-4000-8000-00000000a11c';

const pngSize = (png: Uint8Array) => {
  const b = Buffer.from(png);
  expect(b.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20), colorType: b[25] };
};

describe('Teams app package', () => {
  it('zips a current-schema manifest for the bot with its commands, valid domain and both icons', () => {
    const files = unzipSync(buildAppPackage({ appId: APP_ID, publicUrl: 'https://airlock.example.com/base/', version: '0.1.0' }));
    expect(Object.keys(files).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const manifest = JSON.parse(Buffer.from(files['manifest.json']!).toString('utf8'));
    expect(manifest).toMatchObject({
      $schema: MANIFEST_SCHEMA,
      manifestVersion: '1.22',
      id: APP_ID,
      version: '0.1.0',
      icons: { color: 'color.png', outline: 'outline.png' },
      validDomains: ['airlock.example.com'],
      bots: [{ botId: APP_ID, scopes: ['team', 'groupChat', 'personal'] }],
    });
    const commands = manifest.bots[0].commandLists[0].commands.map((c: { title: string }) => c.title);
    expect(commands).toContain('ids');
    expect(commands).toHaveLength(BOT_COMMANDS.length);
    expect(commands.length).toBeLessThanOrEqual(10);
    expect(manifest.name.short.length).toBeLessThanOrEqual(30);
    expect(manifest.description.short.length).toBeLessThanOrEqual(80);
    expect(pngSize(files['color.png']!)).toEqual({ width: 192, height: 192, colorType: 6 });
    expect(pngSize(files['outline.png']!)).toEqual({ width: 32, height: 32, colorType: 6 });
  });

  it('refuses an app id that is not a GUID and a public URL that is not https', () => {
    expect(() => buildAppPackage({ appId: 'airlock', publicUrl: 'https://a.example', version: '0.1.0' })).toThrow(/GUID/);
    expect(() => buildAppPackage({ appId: APP_ID, publicUrl: 'http://a.example', version: '0.1.0' })).toThrow(/https/);
  });
});
