import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql ships CJS (main) and ESM (module) builds; Node and every dependency load the CJS one,
    // so tests must too, or schema objects come from "another realm".
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: ['tests/e2e/**', 'node_modules/**'],
    environment: 'node',
    pool: 'forks',
    globalSetup: ['tests/support/global-setup.ts'],
    // next-auth imports `next/server` without an extension, which Node's ESM loader cannot
    // resolve (tsx can); letting Vite process next-auth resolves it the way Next and tsx do.
    server: { deps: { inline: ['next-auth'] } },
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
