/**
 * What Next's own code gets from the server process: the auth configuration behind `auth()` and
 * the sign-in and sign-out server actions (auth.ts). Next bundles auth.ts separately from
 * server.ts, so the two hold separate copies of every module; what they share goes through
 * `globalThis` (the database URL when it is the embedded one, and the in-process pub/sub hub).
 *
 * Next's copy gets its own small Prisma pool (3 connections) and its own pub/sub publisher,
 * created on first use (never at build time). A sign-out performed there publishes the revocation
 * (on Redis, or in-process without Redis), so the server still closes that session's sockets.
 */
import { Redis } from 'ioredis';
import { createAuthConfig } from '../auth/next-auth.ts';
import { publishRevocation } from '../auth/revocation.ts';
import { loadConfig, type Config } from '../config.ts';
import { createPrisma, type PrismaClient } from '../db/prisma.ts';
import { createLogger } from '../logger.ts';
import type { PubSubClient } from '../pubsub/connections.ts';
import { processHub } from '../pubsub/in-process-hub.ts';

const DATABASE_URL = Symbol.for('verso.embedded-database-url');

/** Records the embedded database's URL for Next's copy (called by the server once it is up). */
export function offerEmbeddedDatabase(url: string): void {
  (globalThis as { [DATABASE_URL]?: string })[DATABASE_URL] = url;
}

/** The embedded database's URL; throws when this process serves none (a bug in the caller). */
function embeddedDatabaseUrl(): string {
  const url = (globalThis as { [DATABASE_URL]?: string })[DATABASE_URL];
  if (url === undefined) throw new Error('DATABASE_URL is not set and this process runs no embedded database.');
  return url;
}

let shared: { config: Config; prisma: PrismaClient; publisher: PubSubClient } | undefined;

function resources() {
  if (!shared) {
    const config = loadConfig();
    shared = {
      config,
      prisma: createPrisma(config.databaseUrl ?? embeddedDatabaseUrl(), { maxConnections: 3 }),
      publisher: config.redisUrl ? new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 }) : processHub().connect(),
    };
  }
  return shared;
}

/** The auth configuration for Next's copy: the same as the custom server's /api/auth/* (lib/auth/next-auth.ts). */
export function authConfigFromServer(): ReturnType<typeof createAuthConfig> {
  const { config, prisma, publisher } = resources();
  return createAuthConfig({
    config,
    prisma,
    logger: createLogger(),
    onSessionDeleted: (id) => publishRevocation(publisher, config.redisPrefix, { kind: 'session', id }),
    revoke: (credential) => publishRevocation(publisher, config.redisPrefix, credential),
  });
}
