/**
 * In-process pub/sub with the surface of an ioredis pub/sub connection (publish, subscribe,
 * unsubscribe, the 'message' event, quit), for running without Redis. Every publisher and
 * subscriber of one process meet on one hub, so the Redis code paths above it (RedisPubSub in the
 * op broadcaster, presence and access events, the revocation channel) run unchanged.
 *
 * Semantics kept from Redis: delivery is asynchronous (after `publish` resolves, like a network
 * round trip), in publish order per hub, to every connection subscribed to the channel at
 * delivery time, as strings; `publish` answers how many connections received it. There is no
 * connection to lose, so no message is ever dropped. Pattern subscriptions are not offered
 * (nothing in Verso uses them).
 */
import { EventEmitter } from 'node:events';
import type { PubSubClient, PubSubConnections } from './connections.ts';

/** Where a process's in-process connections meet. */
export class InProcessPubSubHub {
  readonly #subscribers = new Map<string, Set<InProcessPubSubClient>>();
  #queue: Promise<void> = Promise.resolve();

  /** A new connection on this hub. */
  connect(): InProcessPubSubClient {
    return new InProcessPubSubClient(this);
  }

  /** @internal */
  add(channel: string, client: InProcessPubSubClient): void {
    let set = this.#subscribers.get(channel);
    if (!set) this.#subscribers.set(channel, (set = new Set()));
    set.add(client);
  }

  /** @internal */
  remove(channel: string, client: InProcessPubSubClient): void {
    const set = this.#subscribers.get(channel);
    set?.delete(client);
    if (set?.size === 0) this.#subscribers.delete(channel);
  }

  /** @internal Delivers on a later turn, in publish order; resolves with the receiver count. */
  deliver(channel: string, message: string): Promise<number> {
    const receivers = this.#subscribers.get(channel)?.size ?? 0;
    this.#queue = this.#queue.then(
      () =>
        new Promise<void>((resolve) =>
          setImmediate(() => {
            for (const client of [...(this.#subscribers.get(channel) ?? [])]) client.receive(channel, message);
            resolve();
          }),
        ),
    );
    return Promise.resolve(receivers);
  }
}

/** One in-process "connection": a publisher, or a subscriber with its own channel set. */
export class InProcessPubSubClient extends EventEmitter implements PubSubClient {
  readonly #hub: InProcessPubSubHub;
  readonly #channels = new Set<string>();
  #closed = false;

  constructor(hub: InProcessPubSubHub) {
    super();
    this.#hub = hub;
  }

  async publish(channel: string, message: string): Promise<number> {
    if (this.#closed) throw new Error('Connection is closed.');
    return this.#hub.deliver(channel, String(message));
  }

  async subscribe(...channels: string[]): Promise<number> {
    // ioredis accepts a trailing callback; RedisPubSub passes one and waits for it.
    const callback = typeof channels.at(-1) === 'function' ? (channels.pop() as unknown as (error: Error | null, count: number) => void) : null;
    for (const channel of channels) {
      this.#channels.add(channel);
      this.#hub.add(channel, this);
    }
    callback?.(null, this.#channels.size);
    return this.#channels.size;
  }

  async unsubscribe(...channels: string[]): Promise<number> {
    for (const channel of channels.length > 0 ? channels : [...this.#channels]) {
      this.#channels.delete(channel);
      this.#hub.remove(channel, this);
    }
    return this.#channels.size;
  }

  async punsubscribe(): Promise<number> {
    return 0;
  }

  async psubscribe(): Promise<never> {
    throw new Error('Pattern subscriptions are not available in-process.');
  }

  async quit(): Promise<'OK'> {
    await this.unsubscribe();
    this.#closed = true;
    return 'OK';
  }

  /** @internal */
  receive(channel: string, message: string): void {
    if (this.#channels.has(channel)) this.emit('message', channel, message);
  }
}

const HUB = Symbol.for('verso.local-pubsub-hub');

/**
 * The process's hub. Kept on `globalThis` because Next bundles its own copy of modules that
 * server.ts also loads (auth.ts's sign-out must reach the server's sockets).
 */
export function processHub(): InProcessPubSubHub {
  const holder = globalThis as { [HUB]?: InProcessPubSubHub };
  return (holder[HUB] ??= new InProcessPubSubHub());
}

/**
 * A publisher and a subscriber connection on the process's hub: the pub/sub of a single instance
 * without Redis. Its subscriber never disconnects, so there is never anything to refill.
 */
export function openInProcessPubSub(hub: InProcessPubSubHub = processHub()): PubSubConnections {
  const publisher = hub.connect();
  const subscriber = hub.connect();
  return {
    kind: 'in-process',
    publisher,
    subscriber,
    subscriberName: 'in-process',
    onResubscribed: () => () => {},
    available: () => true,
    async close() {
      await Promise.all([publisher.quit(), subscriber.quit()]);
    },
  };
}
