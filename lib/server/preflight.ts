/**
 * Start-up check for Redis. A failure becomes one line that names the service and how to start
 * it, never a stack trace. (PostgreSQL's equivalent is DatabaseUnreachableError, raised by
 * ensureDatabase/migrate in lib/db.)
 */
import { Redis } from 'ioredis';

/** A required service is missing or unreachable; the message is meant to be printed as one line. */
export class ServiceUnavailableError extends Error {
  override readonly name = 'ServiceUnavailableError';
}

const REDIS_START = 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no';

/** Resolves when Redis at `redisUrl` answers PING, within `timeoutMs`. */
export async function checkRedis(redisUrl: string, timeoutMs = 3000): Promise<void> {
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const url = new URL(redisUrl);
    throw new ServiceUnavailableError(
      `Redis is not reachable at ${url.hostname}:${url.port || '6379'} (${reason}); start it with: ${REDIS_START} (or set REDIS_URL).`,
    );
  } finally {
    redis.disconnect();
  }
}
