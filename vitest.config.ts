import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // The workspace client from its source, as examples and the gateway import it (no build step needed to test).
    alias: [{ find: /^@airlock\/client$/, replacement: fileURLToPath(new URL('./clients/typescript/src/index.ts', import.meta.url)) }],
  },
  test: {
    include: ['test/**/*.test.ts', 'clients/*/test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    // Two cores: two files at a time keeps Postgres, Redis and Node from starving each other.
    maxWorkers: 2,
    minWorkers: 1,
    // Airlock servers the tests start inherit it: two files running servers at once stay well under Postgres's 100 connections.
    env: { AIRLOCK_DB_POOL_SIZE: '8' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
