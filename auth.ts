/**
 * next-auth for Next's own code: `auth()` in server components and route handlers, and the
 * `signIn` / `signOut` server actions. Same configuration as the custom server's /api/auth/*
 * (lib/auth/next-auth.ts): Prisma adapter, database sessions, the same cookie names.
 *
 * Next bundles this file separately from server.ts, so it gets its own small Prisma pool and its
 * own pub/sub publisher, created on first use (never at build time). A sign-out performed here
 * publishes the revocation (on Redis, or in-process without Redis), so the custom server still
 * closes that session's sockets. Without DATABASE_URL it uses the embedded database the server
 * started in this process.
 *
 * @example
 *   import { auth } from '@/auth';
 *   const session = await auth(); // VersoSession | null: { user: { id, name, email, image }, expires }
 */
import NextAuth from 'next-auth';
import { createAuthConfig } from './lib/auth/next-auth.ts';
import { publishRevocation } from './lib/auth/revocation.ts';
import { loadConfig, type Config } from './lib/config.ts';
import { createPrisma, type PrismaClient } from './lib/db/prisma.ts';
import { processDatabaseUrl } from './lib/embedded/process-database.ts';
import { Redis } from 'ioredis';
import type { PubSubClient } from './lib/pubsub/connections.ts';
import { processHub } from './lib/pubsub/in-process-hub.ts';
import { createLogger } from './lib/logger.ts';

let shared: { config: Config; prisma: PrismaClient; publisher: PubSubClient } | undefined;

function resources() {
  if (!shared) {
    const config = loadConfig();
    shared = {
      config,
      prisma: createPrisma(config.databaseUrl ?? processDatabaseUrl(), { maxConnections: 3 }),
      publisher: config.redisUrl
        ? new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 })
        : processHub().connect(),
    };
  }
  return shared;
}

export const { auth, handlers, signIn, signOut } = NextAuth(() => {
  const { config, prisma, publisher } = resources();
  return createAuthConfig({
    config,
    prisma,
    logger: createLogger(),
    onSessionDeleted: (id) => publishRevocation(publisher, config.redisPrefix, { kind: 'session', id }),
    revoke: (credential) => publishRevocation(publisher, config.redisPrefix, credential),
  });
});
