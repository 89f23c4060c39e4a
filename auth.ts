/**
 * next-auth for Next's own code: `auth()` in server components and route handlers, and the
 * `signIn` / `signOut` server actions. Same configuration as the custom server's /api/auth/*
 * (lib/auth/next-auth.ts): Prisma adapter, database sessions, the same cookie names.
 *
 * Next bundles this file separately from server.ts, so it gets its own small Prisma pool and its
 * own Redis publisher, created on first use (never at build time). A sign-out performed here
 * publishes the revocation on Redis, so the custom server still closes that session's sockets.
 *
 * @example
 *   import { auth } from '@/auth';
 *   const session = await auth(); // VersoSession | null: { user: { id, name, email, image }, expires }
 */
import NextAuth from 'next-auth';
import { Redis } from 'ioredis';
import { createAuthConfig } from './lib/auth/next-auth.ts';
import { publishRevocation } from './lib/auth/revocation.ts';
import { loadConfig, type Config } from './lib/config.ts';
import { createPrisma, type PrismaClient } from './lib/db/client.ts';
import { createLogger } from './lib/logger.ts';

let shared: { config: Config; prisma: PrismaClient; redis: Redis } | undefined;

function resources() {
  if (!shared) {
    const config = loadConfig();
    shared = {
      config,
      prisma: createPrisma(config.databaseUrl, { maxConnections: 3 }),
      redis: new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 }),
    };
  }
  return shared;
}

export const { auth, handlers, signIn, signOut } = NextAuth(() => {
  const { config, prisma, redis } = resources();
  return createAuthConfig({
    config,
    prisma,
    logger: createLogger(),
    onSessionDeleted: (id) => publishRevocation(redis, config.redisPrefix, { kind: 'session', id }),
  });
});
