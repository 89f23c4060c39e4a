/**
 * The two Redis connections a process uses for pub/sub (a subscriber connection can do nothing
 * else), shared by the op broadcaster and presence.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export interface RedisPubSubConnections {
  readonly publisher: Redis;
  readonly subscriber: Redis;
  /** Name of the subscriber connection in `CLIENT LIST` (drills kill it to prove recovery). */
  readonly subscriberName: string;
  /** Registers a callback for "the subscriber connection came back; messages may have been lost". */
  onResubscribed(callback: () => void): () => void;
  close(): Promise<void>;
}

/** Opens a publisher and a subscriber connection; both reconnect forever with backoff. */
export function openRedisPubSub(redisUrl: string, onError: (error: Error) => void = () => {}): RedisPubSubConnections {
  const instance = randomBytes(4).toString('hex');
  const connect = (role: 'pub' | 'sub') => {
    const redis = new Redis(redisUrl, {
      connectionName: `verso-${role}-${instance}`,
      maxRetriesPerRequest: null,
      retryStrategy: (times) => Math.min(times * 100, 2000),
    });
    redis.on('error', onError);
    return redis;
  };
  const publisher = connect('pub');
  const subscriber = connect('sub');
  const resubscribed = new Set<() => void>();
  let everReady = false;
  subscriber.on('ready', () => {
    // ioredis resubscribes its channels on reconnect; whatever was published meanwhile is gone.
    if (everReady) for (const callback of resubscribed) callback();
    everReady = true;
  });
  return {
    publisher,
    subscriber,
    subscriberName: `verso-sub-${instance}`,
    onResubscribed(callback) {
      resubscribed.add(callback);
      return () => resubscribed.delete(callback);
    },
    async close() {
      await Promise.allSettled([publisher.quit(), subscriber.quit()]);
    },
  };
}
