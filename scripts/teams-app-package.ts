import { zipSync } from 'fflate';
import { colorIcon, outlineIcon } from '../adapters/teams/app-package/icons.js';
import { buildManifest } from '../adapters/teams/app-package/manifest.js';

/** The Teams app package: manifest.json and the two icons, zipped (fflate). */
export function buildAppPackage(o: { appId: string; publicUrl: string; version: string }): Uint8Array {
  const manifest = buildManifest(o);
  // A fixed timestamp keeps the zip the same for the same input.
  const mtime = new Date('2024-01-01T00:00:00Z');
  return zipSync(
    {
      'manifest.json': [Buffer.from(JSON.stringify(manifest, null, 2)), { mtime }],
      'color.png': [colorIcon(), { mtime, level: 0 }],
      'outline.png': [outlineIcon(), { mtime, level: 0 }],
    },
    { level: 9 },
  );
}
