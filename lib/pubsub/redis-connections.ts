/**
 * The Redis implementation of {@link PubSubConnections} (./connections.ts): a publisher and a
 * subscriber connection that keep working around Redis outages (the in-process one is
 * ./in-process-hub.ts).
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { PubSubClient, PubSubConnections } from './connections.ts';

/**
 * The longest anything waits on a Redis command before failing (issue 14: nothing may wait more
 * than 5 s on Redis, and a request that then goes on without it needs some of those 5 s).
 */
export const REDIS_COMMAND_TIMEOUT_MS = 3_000;
/** On a live connection, how long a SUBSCRIBE's confirmation is waited for before going on without it. */
const SUBSCRIBE_WAIT_MS = 1_000;
/** How often each connection is pinged, and how long a ping may take before it counts as lost. */
const WATCHDOG_EVERY_MS = 1_000;
const WATCHDOG_TIMEOUT_MS = 2_000;
/** Lost pings in a row after which a connection is dropped and reconnected (it stopped answering). */
const WATCHDOG_MISSES = 2;

/**
 * Opens a publisher and a subscriber connection to Redis; both reconnect forever with backoff.
 *
 * Redis carries live fan-out only, so its outage must not stop anything else (issue 14): while a
 * connection is down (or stopped answering: a watchdog pings both and reconnects one that misses
 * its pings), PUBLISH fails at once instead of sitting in ioredis's offline queue, and SUBSCRIBE
 * resolves at once while ioredis keeps it queued, so it takes effect when Redis is back. Callers
 * then go on from PostgreSQL, and `onResubscribed` tells them to refill what they missed. On a
 * live connection a SUBSCRIBE is confirmed before it resolves (so a reader that subscribes and then
 * reads the database misses nothing), waiting at most SUBSCRIBE_WAIT_MS, and every command times
 * out after REDIS_COMMAND_TIMEOUT_MS.
 */
export function openRedisPubSub(redisUrl: string, onError: (error: Error) => void = () => {}): PubSubConnections {
  const instance = randomBytes(4).toString('hex');
  const connect = (role: 'pub' | 'sub') => {
    const redis = new Redis(redisUrl, {
      connectionName: `verso-${role}-${instance}`,
      maxRetriesPerRequest: null,
      commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
      retryStrategy: (times) => Math.min(times * 100, 2000),
    });
    redis.on('error', onError);
    return redis;
  };
  const publisher = connect('pub');
  const subscriber = connect('sub');
  const resubscribed = new Set<() => void>();
  const refill = () => {
    for (const callback of resubscribed) callback();
  };
  // The watchdogs keep the raw connections; everything else gets the guarded ones.
  const watchdogs = [watch(publisher, onError), watch(subscriber, onError, refill)];
  let everReady = false;
  subscriber.on('ready', () => {
    // ioredis resubscribes its channels on reconnect; whatever was published meanwhile is gone.
    if (everReady) refill();
    everReady = true;
  });
  return {
    kind: 'redis',
    publisher: new GuardedPubSubClient(publisher, () => watchdogs[0]!.state()),
    subscriber: new GuardedPubSubClient(subscriber, () => watchdogs[1]!.state()),
    subscriberName: `verso-sub-${instance}`,
    onResubscribed(callback) {
      resubscribed.add(callback);
      return () => resubscribed.delete(callback);
    },
    available: () => watchdogs.every((w) => w.state() === 'up'),
    async close() {
      for (const w of watchdogs) w.stop();
      await Promise.allSettled([publisher.quit(), subscriber.quit()]);
    },
  };
}

/**
 * Where a connection stands: `starting` until it is first ready (commands wait for it, as at any
 * start), then `up`, or `down` while it is not ready or its last ping went unanswered.
 */
type ConnectionState = 'starting' | 'up' | 'down';

/**
 * Pings `redis` every WATCHDOG_EVERY_MS and tells its {@link ConnectionState}. One that misses WATCHDOG_MISSES pings in a row while ioredis still
 * thinks it is up (a silent network partition) is dropped and reconnected, so that its 'ready'
 * comes again when Redis answers (and with it the refill of whatever was missed). One that
 * answers again before that calls `onAnsweringAgain`.
 */
function watch(redis: Redis, onError: (error: Error) => void, onAnsweringAgain: () => void = () => {}): { state(): ConnectionState; stop(): void } {
  let misses = 0;
  let inFlight = false;
  let everReady = redis.status === 'ready';
  redis.once('ready', () => (everReady = true));
  const timer = setInterval(() => {
    if (redis.status !== 'ready') {
      misses = 0;
      return;
    }
    if (inFlight) return;
    inFlight = true;
    within(redis.ping(), WATCHDOG_TIMEOUT_MS).then(
      () => {
        // It answers again without having reconnected (the partition healed before we gave up
        // on it): messages sent to it meanwhile may still be lost, so refill as after a reconnect.
        if (misses > 0) onAnsweringAgain();
        misses = 0;
      },
      () => {
        misses += 1;
        if (misses >= WATCHDOG_MISSES && redis.status === 'ready') {
          onError(new Error(`Redis connection ${redis.options.connectionName ?? ''} stopped answering; reconnecting`));
          misses = 0;
          redis.disconnect(true);
        }
      },
    ).finally(() => {
      inFlight = false;
    });
  }, WATCHDOG_EVERY_MS);
  timer.unref();
  return {
    state: () => (!everReady ? 'starting' : redis.status === 'ready' && misses === 0 ? 'up' : 'down'),
    stop: () => clearInterval(timer),
  };
}

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Redis within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A Redis connection as pub/sub uses it ({@link PubSubClient}), through ioredis's public API only:
 *
 * - PUBLISH on a connection that is down fails at once: queued, it would wait for Redis for as
 *   long as the outage lasts, holding every op published meanwhile. Pub/sub loses messages across
 *   an outage anyway; subscribers refill from PostgreSQL when their connection comes back.
 * - SUBSCRIBE resolves at once while the connection is down or not answering (ioredis keeps the
 *   command queued and sends it when Redis is back, then 'ready' triggers the refills), within
 *   SUBSCRIBE_WAIT_MS on a live one, and within REDIS_COMMAND_TIMEOUT_MS while the connection is
 *   first starting. Callers (RedisPubSub passes a callback) never see it fail.
 * - UNSUBSCRIBE failures are swallowed: RedisPubSub.unsubscribe() sends it without awaiting it, so
 *   on a closed connection (shutdown, or Redis lost) the rejection would have nobody to catch it
 *   and surface as an unhandled rejection. A closed connection holds no subscriptions, so the
 *   failure says nothing.
 *
 * What graphql-redis-subscriptions touches on it is checked by tests/unit/pubsub-engine-surface.test.ts.
 */
export class GuardedPubSubClient implements PubSubClient {
  readonly #redis: Redis;
  readonly #state: () => ConnectionState;

  constructor(redis: Redis, state: () => ConnectionState) {
    this.#redis = redis;
    this.#state = state;
  }

  publish(channel: string, message: string): Promise<number> {
    if (this.#state() === 'down') return Promise.reject(new Error('Redis is unreachable: not published (subscribers catch up from PostgreSQL when it is back).'));
    return this.#redis.publish(channel, message);
  }

  subscribe(...args: string[]): Promise<number> {
    const channels: unknown[] = [...args];
    const callback = typeof channels.at(-1) === 'function' ? (channels.pop() as (error: Error | null, count?: unknown) => void) : null;
    const now = this.#state();
    const sent = this.#redis.subscribe(...(channels as string[]));
    sent.catch(() => {});
    const wait = now === 'up' ? SUBSCRIBE_WAIT_MS : REDIS_COMMAND_TIMEOUT_MS;
    const done = now === 'down' ? Promise.resolve() : within(sent, wait).then(() => undefined, () => undefined);
    return done.then(() => {
      callback?.(null, channels.length);
      return channels.length;
    });
  }

  unsubscribe(...channels: string[]): Promise<unknown> {
    const pending = this.#redis.unsubscribe(...channels);
    pending.catch(() => {});
    return pending;
  }

  punsubscribe(...patterns: string[]): Promise<unknown> {
    const pending = this.#redis.punsubscribe(...patterns);
    pending.catch(() => {});
    return pending;
  }

  on(event: string, listener: (...args: any[]) => void): this { // eslint-disable-line @typescript-eslint/no-explicit-any -- ioredis's own listener type
    this.#redis.on(event, listener);
    return this;
  }

  off(event: string, listener: (...args: any[]) => void): this { // eslint-disable-line @typescript-eslint/no-explicit-any
    this.#redis.off(event, listener);
    return this;
  }

  quit(): Promise<unknown> {
    return this.#redis.quit();
  }
}
