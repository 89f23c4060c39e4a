/**
 * Creates and closes the process-wide services: one Prisma pool and one Redis command connection.
 */
import { Redis } from 'ioredis';
import type { Services } from '../../graphql/context.ts';
import type { Config } from '../config.ts';
import { createPrisma } from '../db/client.ts';
import type { Logger } from '../logger.ts';

export async function createServices(config: Config, logger: Logger): Promise<Services> {
  const prisma = createPrisma(config.databaseUrl);
  const redis = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  redis.on('error', (error) => logger.warn({ err: error }, 'redis command connection error'));
  await redis.connect();
  return { config, logger, prisma, redis };
}

export async function closeServices(services: Services): Promise<void> {
  await Promise.allSettled([services.prisma.$disconnect(), services.redis.quit()]);
}

/** Resolves to true when PostgreSQL and Redis both answer within `timeoutMs`. */
export async function servicesReady(services: Services, timeoutMs = 2000): Promise<{ postgres: boolean; redis: boolean }> {
  const within = <T>(p: Promise<T>) =>
    Promise.race([p.then(() => true), new Promise<boolean>((resolve) => setTimeout(resolve, timeoutMs, false).unref())]).catch(() => false);
  const [postgres, redis] = await Promise.all([within(services.prisma.$queryRaw`SELECT 1`), within(services.redis.ping())]);
  return { postgres, redis };
}
