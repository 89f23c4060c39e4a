/**
 * Creates and closes the process-wide services: one Prisma pool, one Redis command connection,
 * one pair of Redis pub/sub connections, and the sequencing and presence built on them.
 */
import { Redis } from 'ioredis';
import type { Services } from '../../graphql/context.ts';
import type { Config } from '../config.ts';
import { createSequencer } from '../collab/sequencer.ts';
import { createPrisma } from '../db/client.ts';
import { createPrismaOpStore } from '../db/op-store.ts';
import { createUserDirectory } from '../db/users.ts';
import type { Logger } from '../logger.ts';
import { createRedisPresence } from '../pubsub/presence.ts';
import { createRedisBroadcaster } from '../pubsub/redis-broadcaster.ts';
import { openRedisPubSub } from '../pubsub/redis-connections.ts';
import { createAccessEvents } from '../pubsub/access-events.ts';

export async function createServices(config: Config, logger: Logger): Promise<Services> {
  const prisma = createPrisma(config.databaseUrl);
  const redis = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  redis.on('error', (error) => logger.warn({ err: error }, 'redis command connection error'));
  await redis.connect();
  const pubsub = openRedisPubSub(config.redisUrl, (error) => logger.warn({ err: error }, 'redis pub/sub connection error'));
  const store = createPrismaOpStore(prisma);
  const broadcaster = createRedisBroadcaster({ connections: pubsub, prefix: config.redisPrefix });
  const sequencer = createSequencer({
    store,
    broadcaster,
    snapshotEvery: config.snapshotEvery,
    onAfterCommitError: (error, op) =>
      logger.error({ err: error, documentId: op.documentId, version: op.version }, 'publish or snapshot failed after commit'),
  });
  const presence = createRedisPresence({ redis, connections: pubsub, prefix: config.redisPrefix, ttlMs: config.presenceTtlMs });
  return {
    config,
    logger,
    prisma,
    redis,
    pubsub,
    collab: { store, broadcaster, sequencer },
    presence,
    accessEvents: createAccessEvents(pubsub, config.redisPrefix),
    users: createUserDirectory(prisma),
  };
}

export async function closeServices(services: Services): Promise<void> {
  services.presence.close();
  await Promise.allSettled([services.prisma.$disconnect(), services.redis.quit(), services.pubsub.close()]);
}

/** Whether PostgreSQL and Redis each answer within `timeoutMs`. */
export async function servicesReady(services: Services, timeoutMs = 2000): Promise<{ postgres: boolean; redis: boolean }> {
  const within = <T>(p: Promise<T>) =>
    Promise.race([p.then(() => true), new Promise<boolean>((resolve) => setTimeout(resolve, timeoutMs, false).unref())]).catch(() => false);
  const [postgres, redis] = await Promise.all([within(services.prisma.$queryRaw`SELECT 1`), within(services.redis.ping())]);
  return { postgres, redis };
}
