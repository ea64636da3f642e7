import { defineConfig } from 'vitest/config';

// Tests have their own config: vite.config.ts has the web app's root, where there are no tests.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Test files run side by side; small PostgreSQL pools keep them under the server's 100 connections.
    env: { LEADPOOL_PG_POOL_SIZE: '3' },
    reporters: ['default'],
  },
});
