/**
 * The two pub/sub connections a process uses (a subscriber connection can do nothing else),
 * shared by the op broadcaster, presence, access events and revocations: Redis connections, or
 * in-process ones when the deployment has no Redis (one instance; lib/embedded/local-pubsub.ts).
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisPubSub, type PubSubRedisOptions } from 'graphql-redis-subscriptions';
import { processHub, type PubSubClient } from '../embedded/local-pubsub.ts';

export type { PubSubClient };

export interface RedisPubSubConnections {
  /** `redis` across instances, or `in-process` (single instance, nothing is ever lost). */
  readonly kind: 'redis' | 'in-process';
  readonly publisher: PubSubClient;
  readonly subscriber: PubSubClient;
  /** Name of the subscriber connection in `CLIENT LIST` (drills kill it to prove recovery). */
  readonly subscriberName: string;
  /** Registers a callback for "the subscriber connection came back; messages may have been lost". */
  onResubscribed(callback: () => void): () => void;
  close(): Promise<void>;
}

/**
 * Opens a publisher and a subscriber connection: on Redis when `redisUrl` is set (both reconnect
 * forever with backoff), otherwise on the process's in-process hub.
 */
export function openPubSub(redisUrl: string | null, onError: (error: Error) => void = () => {}): RedisPubSubConnections {
  if (redisUrl === null) {
    const hub = processHub();
    const publisher = hub.connect();
    const subscriber = hub.connect();
    return {
      kind: 'in-process',
      publisher,
      subscriber,
      subscriberName: 'in-process',
      // An in-process subscriber never disconnects, so there is never anything to refill.
      onResubscribed: () => () => {},
      async close() {
        await Promise.all([publisher.quit(), subscriber.quit()]);
      },
    };
  }
  return openRedisPubSub(redisUrl, onError);
}

/** Opens a publisher and a subscriber connection to Redis; both reconnect forever with backoff. */
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
  ignoreUnsubscribeFailures(subscriber);
  const resubscribed = new Set<() => void>();
  let everReady = false;
  subscriber.on('ready', () => {
    // ioredis resubscribes its channels on reconnect; whatever was published meanwhile is gone.
    if (everReady) for (const callback of resubscribed) callback();
    everReady = true;
  });
  return {
    kind: 'redis',
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

/**
 * RedisPubSub.unsubscribe() sends UNSUBSCRIBE without awaiting it, so when the connection is
 * already closed (shutdown, or Redis lost) the rejection has nobody to catch it and surfaces as an
 * unhandled rejection. A closed connection holds no subscriptions, so the failure says nothing:
 * swallow it at the source.
 */
function ignoreUnsubscribeFailures(subscriber: Redis): void {
  for (const command of ['unsubscribe', 'punsubscribe'] as const) {
    const original = subscriber[command].bind(subscriber) as (...args: unknown[]) => Promise<unknown>;
    (subscriber as unknown as Record<string, unknown>)[command] = (...args: unknown[]) => {
      const pending = original(...args);
      pending.catch(() => {});
      return pending;
    };
  }
}

/**
 * A graphql-redis-subscriptions engine on shared connections. RedisPubSub types its connections
 * as ioredis clients but only calls publish, subscribe, unsubscribe, punsubscribe, quit and
 * `on('message' | 'pmessage')` (checked against 2.7.0), which {@link PubSubClient} has.
 */
export function createPubSubEngine(
  connections: RedisPubSubConnections,
  options: Pick<PubSubRedisOptions, 'serializer' | 'deserializer'> = {},
): RedisPubSub {
  return new RedisPubSub({
    ...options,
    publisher: connections.publisher as unknown as Redis,
    subscriber: connections.subscriber as unknown as Redis,
  });
}
