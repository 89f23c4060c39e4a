/**
 * Verso's process entry: `npm start` (tsx server.ts).
 * Validates configuration, checks PostgreSQL and Redis (or starts the embedded database and
 * in-process pub/sub when DATABASE_URL / REDIS_URL are unset), applies pending migrations, and serves the
 * app, GraphQL over HTTP and graphql-ws on one port. SIGTERM/SIGINT drain and stop it.
 */
// First: Next's modules (loaded early through next-auth and `next/server`) need the
// AsyncLocalStorage global that Next normally sets up before anything else.
import 'next/dist/server/node-environment-baseline.js';
import { ConfigError, loadConfig } from './lib/config.ts';
import { createLogger } from './lib/logger.ts';
import { listenScope, openAt, startVersoServer } from './lib/server/http-server.ts';
import { ServiceUnavailableError } from './lib/server/preflight.ts';
import { DatabaseUnreachableError, MigrationError } from './lib/migrator/migrate.ts';
import { EmbeddedDatabaseError } from './lib/embedded/embedded-postgres.ts';

async function main(): Promise<void> {
  const logger = createLogger();
  const config = loadConfig();
  // VERSO_WEB=0 serves only the API and its WebSocket (benchmarks, API-only deployments).
  const server = await startVersoServer({ config, logger, web: process.env.VERSO_WEB !== '0' });
  console.log(`Verso is ready on ${openAt(config, server.port)} (listening on port ${server.port} ${listenScope(config)})`);
  if (config.authSecretSource === 'data-dir') {
    logger.info(`AUTH_SECRET is not set: using the one generated in ${config.dataDir}/auth-secret (set AUTH_SECRET to choose your own)`);
  }
  let firstSignalAt = 0;
  const stop = (signal: NodeJS.Signals) => {
    // A second signal forces the exit; tsx relays the first one too, so ignore echoes within 1 s.
    if (firstSignalAt > 0) {
      if (Date.now() - firstSignalAt > 1000) process.exit(1);
      return;
    }
    firstSignalAt = Date.now();
    logger.info({ signal }, 'draining');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  // Expected start-up problems are one line, with what to do; anything else is a bug: full stack.
  if (error instanceof ConfigError || error instanceof ServiceUnavailableError ||
    error instanceof DatabaseUnreachableError || error instanceof EmbeddedDatabaseError ||
    error instanceof MigrationError) {
    console.error(`verso: ${error.message}`);
  } else {
    console.error(error);
  }
  process.exit(1);
});
