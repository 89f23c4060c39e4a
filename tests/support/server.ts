/**
 * Starts real Verso servers on port 0 against this run's database and Redis prefix, and always
 * stops them after each test file.
 */
import { afterAll, inject } from 'vitest';
import { loadConfig, type Config } from '../../lib/config.ts';
import { createLogger } from '../../lib/logger.ts';
import { startVersoServer, type VersoServer } from '../../lib/server/http-server.ts';

/** Configuration for a test server; `overrides` are environment variables. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: inject('databaseUrl'),
    REDIS_URL: inject('redisUrl'),
    REDIS_PREFIX: inject('redisPrefix'),
    PORT: '0',
    HOST: '127.0.0.1',
    APP_ORIGIN: 'http://localhost:3000',
    // Every test signs in from 127.0.0.1 and shares one Redis prefix: a production-sized
    // per-address limit would make unrelated files refuse each other's sign-ups.
    RATE_LIMIT_SIGNIN_ADDRESS: '100000/60',
    ...overrides,
  });
}

const running = new Set<VersoServer>();
afterAll(async () => {
  await Promise.all([...running].map((s) => s.close()));
  running.clear();
});

/** Starts a server (API only unless `web`), stopped automatically after the file's tests. */
export async function startTestServer(options: { web?: boolean; env?: Record<string, string> } = {}): Promise<VersoServer> {
  const server = await startVersoServer({
    config: testConfig(options.env),
    logger: createLogger(),
    web: options.web ?? false,
    shutdownGraceMs: 2000,
  });
  running.add(server);
  return {
    ...server,
    close: async () => {
      running.delete(server);
      await server.close();
    },
  };
}
