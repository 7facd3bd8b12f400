import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SHUTDOWN_TIMEOUT_MS } from '../../src/main/process-signals.js';

/**
 * Docker cannot run here: the compose file and the Dockerfile are checked as
 * data against what production needs.
 */
interface Service {
  image?: string;
  build?: unknown;
  command?: unknown;
  pull_policy?: string;
  restart?: string;
  stop_grace_period?: string;
  environment?: Record<string, string>;
  volumes?: ({ type: string; source: string; target: string; read_only?: boolean; bind?: { create_host_path?: boolean } } | string)[];
}

const compose = parse(readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8'), { merge: true }) as { services: Record<string, Service> };
const dockerfile = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');
const { api, worker } = compose.services as { api: Service; worker: Service };
const seconds = (d: string) => Number(/^(\d+)s$/.exec(d)?.[1]);

describe('docker-compose.yml', () => {
  it('brings up Postgres, Redis, the API and the worker, each restarted unless stopped', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'postgres', 'redis', 'worker']);
    for (const [name, s] of Object.entries(compose.services)) expect(s.restart, name).toBe('unless-stopped');
  });

  it('builds one image, once, for the API and the worker', () => {
    expect(api.build).toBeDefined();
    expect(worker.build).toBeUndefined();
    expect(worker.image).toBe(api.image);
    expect(worker.pull_policy).toBe('never');
    // Both run the image's own command; the role is the only difference.
    expect(api.command).toBeUndefined();
    expect(worker.command).toBeUndefined();
    expect(api.environment?.AIRLOCK_ROLE).toBe('api');
    expect(worker.environment?.AIRLOCK_ROLE).toBe('worker');
  });

  it('reads the policy from a read-only directory of the host', () => {
    for (const s of [api, worker]) {
      const mount = s.volumes?.find((v) => typeof v === 'object' && v.target === '/etc/airlock');
      expect(mount).toMatchObject({ type: 'bind', read_only: true, bind: { create_host_path: false } });
      expect(s.environment?.POLICY_FILE).toBe('/etc/airlock/policy.yml');
    }
  });

  it('passes through the secret, the public URL, Slack and Teams settings', () => {
    const passed = ['AIRLOCK_SECRET', 'PUBLIC_URL', 'SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'TEAMS_APP_ID', 'TEAMS_APP_PASSWORD', 'TEAMS_APP_TENANT_ID', 'TEAMS_OPENID_METADATA_URL', 'TEAMS_LOGIN_URL'];
    for (const s of [api, worker]) {
      for (const name of passed) expect(s.environment?.[name], name).toMatch(new RegExp(`^\\$\\{${name}[:?-]`));
      expect(s.environment?.DATABASE_URL).toMatch(/^postgres:\/\/.*@postgres:5432\//);
      expect(s.environment?.REDIS_URL).toBe('redis://redis:6379');
    }
    // Refused at `docker compose up` rather than started without it.
    expect(api.environment?.AIRLOCK_SECRET).toMatch(/^\$\{AIRLOCK_SECRET:\?/);
  });

  it('gives Airlock longer to stop than its own shutdown bound', () => {
    for (const s of [api, worker]) expect(seconds(s.stop_grace_period ?? '10s') * 1000).toBeGreaterThan(SHUTDOWN_TIMEOUT_MS);
  });
});

describe('Dockerfile', () => {
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const runtime = stages.at(-1)!;

  it('runs the compiled server directly under node, stopped by SIGTERM', () => {
    expect(runtime).toMatch(/^CMD \["node", "dist\/src\/main\/start\.js"\]$/m);
    expect(runtime).toMatch(/^STOPSIGNAL SIGTERM$/m);
    expect(runtime).toMatch(/^USER node$/m);
  });

  it('ships no dev dependencies, no TypeScript sources and no embedded Postgres binaries', () => {
    expect(runtime).toMatch(/npm ci --omit=dev --omit=optional/);
    expect(runtime).not.toMatch(/^COPY (src|\.) /m);
    expect(runtime).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
    expect(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).dependencies).not.toHaveProperty('tsx');
  });
});
