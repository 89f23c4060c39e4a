import { defineConfig } from 'vitest/config';

/**
 * End-to-end tests (`npm run test:e2e`): the real server (`next build`, then server.ts on a free
 * port against a database of this run's own) driven through headless Debian Chromium with
 * playwright-core. Files run one after another: they share one server and two CPU cores.
 */
export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    include: ['tests/e2e/**/*.e2e.ts'],
    environment: 'node',
    pool: 'forks',
    fileParallelism: false,
    globalSetup: ['tests/e2e/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
