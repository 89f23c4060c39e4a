/**
 * The two pub/sub connections a process uses (a subscriber connection can do nothing else),
 * shared by the op broadcaster, presence, access events and revocations: Redis connections
 * (./redis-connections.ts), or in-process ones when the deployment has no Redis (one instance;
 * ./in-process-hub.ts). Everything above talks to them through graphql-redis-subscriptions'
 * engine, {@link createPubSubEngine}.
 */
import type { Redis } from 'ioredis';
import { RedisPubSub, type PubSubRedisOptions } from 'graphql-redis-subscriptions';

/** The part of an ioredis connection that pub/sub uses; a Redis connection satisfies it too. */
export interface PubSubClient {
  publish(channel: string, message: string): Promise<number>;
  subscribe(...channels: string[]): Promise<unknown>;
  unsubscribe(...channels: string[]): Promise<unknown>;
  punsubscribe(...patterns: string[]): Promise<unknown>;
  /** 'message' listeners receive (channel, message). */
  on(event: string, listener: (...args: any[]) => void): this; // eslint-disable-line @typescript-eslint/no-explicit-any -- ioredis's own listener type
  off(event: string, listener: (...args: any[]) => void): this; // eslint-disable-line @typescript-eslint/no-explicit-any
  quit(): Promise<unknown>;
}

export interface PubSubConnections {
  /** `redis` across instances, or `in-process` (single instance, nothing is ever lost). */
  readonly kind: 'redis' | 'in-process';
  readonly publisher: PubSubClient;
  readonly subscriber: PubSubClient;
  /** Name of the subscriber connection in `CLIENT LIST` (drills kill it to prove recovery). */
  readonly subscriberName: string;
  /** Registers a callback for "the subscriber connection came back; messages may have been lost". */
  onResubscribed(callback: () => void): () => void;
  /**
   * Whether both connections are up and answering now. False while Redis is unreachable: then
   * publishing fails at once and subscribing does not wait (lib/pubsub/redis-connections.ts).
   */
  available(): boolean;
  close(): Promise<void>;
}

/**
 * A graphql-redis-subscriptions engine on shared connections. RedisPubSub types its connections
 * as ioredis clients but only calls publish, subscribe, unsubscribe, punsubscribe, quit and
 * `on('message' | 'pmessage')` (checked against 2.7.0), which {@link PubSubClient} has.
 */
export function createPubSubEngine(
  connections: PubSubConnections,
  options: Pick<PubSubRedisOptions, 'serializer' | 'deserializer'> = {},
): RedisPubSub {
  return new RedisPubSub({
    ...options,
    publisher: connections.publisher as unknown as Redis,
    subscriber: connections.subscriber as unknown as Redis,
  });
}
