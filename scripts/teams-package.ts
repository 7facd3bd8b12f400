/**
 * `npm run teams:package`: builds the Teams app package (manifest.json and
 * the two icons, zipped) to upload in Teams. Reads TEAMS_APP_ID and
 * PUBLIC_URL; writes dist/teams/airlock-teams.zip (or the path given as the
 * first argument).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { buildAppPackage } from './teams-app-package.js';

function main() {
  const appId = process.env.TEAMS_APP_ID;
  const publicUrl = process.env.PUBLIC_URL;
  if (!appId || !publicUrl) {
    process.stderr.write('teams:package: set TEAMS_APP_ID (the bot’s Microsoft App ID) and PUBLIC_URL (Airlock’s public https URL)\n');
    process.exit(1);
  }
  const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
  const out = process.argv[2] ?? 'dist/teams/airlock-teams.zip';
  try {
    const zip = buildAppPackage({ appId, publicUrl, version });
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, zip);
    process.stdout.write(`${out} (${zip.length} bytes): upload it in Teams (Apps → Manage your apps → Upload an app)\n`);
  } catch (err) {
    process.stderr.write(`teams:package: ${(err as Error).message}\n`);
    process.exit(1);
  }
}

main();
