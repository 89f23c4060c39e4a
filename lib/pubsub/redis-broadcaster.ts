/**
 * The Redis implementation of lib/collab's Broadcaster port (rules B1–B5 in lib/collab/SPEC.md)
 * on graphql-redis-subscriptions: one channel per document, `<prefix>doc:<documentId>:ops`.
 *
 * Each message is serialised once when published and parsed once per receiving process, however
 * many subscribers that process has. Redis pub/sub is fire-and-forget: while the subscriber
 * connection is down, messages are lost. `onResubscribed` tells the caller when the connection
 * is back so op feeds can refill from PostgreSQL (the op feed also refills whenever it sees a gap).
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import { Delta } from '../ot/operation.ts';
import type { Broadcaster, OpListener, Unsubscribe } from '../collab/broadcaster.ts';
import type { AppliedOp } from '../collab/types.ts';

/** The wire form of an AppliedOp: short keys, the document id implied by the channel. */
interface WireOp {
  readonly v: number;
  readonly d: Delta['ops'];
  readonly a: string | null;
  readonly c: string;
  readonly s: number;
  readonly t: number;
}

export interface RedisBroadcaster extends Broadcaster {
  /** Registers a callback for "the subscriber connection came back; messages may have been lost". */
  onResubscribed(callback: () => void): () => void;
  /** Name of the subscriber connection in `CLIENT LIST` (drills kill it to prove recovery). */
  readonly subscriberName: string;
  close(): Promise<void>;
}

export interface RedisBroadcasterOptions {
  readonly redisUrl: string;
  /** Key prefix shared by every instance of one deployment (e.g. `verso:`). */
  readonly prefix: string;
  readonly onError?: (error: Error) => void;
}

export const opsChannel = (prefix: string, documentId: string): string => `${prefix}doc:${documentId}:ops`;

function documentIdOf(prefix: string, channel: string): string {
  return channel.slice(prefix.length + 'doc:'.length, -':ops'.length);
}

/** Creates a broadcaster with its own publisher and subscriber connections. */
export function createRedisBroadcaster(options: RedisBroadcasterOptions): RedisBroadcaster {
  const { prefix } = options;
  const onError = options.onError ?? (() => {});
  const instance = randomBytes(4).toString('hex');
  const connect = (role: 'pub' | 'sub') => {
    const redis = new Redis(options.redisUrl, {
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

  const pubsub = new RedisPubSub({
    publisher,
    subscriber,
    serializer: (op: AppliedOp) =>
      JSON.stringify({
        v: op.version,
        d: op.delta.ops,
        a: op.authorId,
        c: op.clientId,
        s: op.clientSeq,
        t: op.createdAt.getTime(),
      } satisfies WireOp),
    deserializer: (source, { channel }): AppliedOp => {
      const wire = JSON.parse(source.toString('utf8')) as WireOp;
      return {
        documentId: documentIdOf(prefix, channel),
        version: wire.v,
        delta: new Delta(wire.d),
        authorId: wire.a,
        clientId: wire.c,
        clientSeq: wire.s,
        createdAt: new Date(wire.t),
      };
    },
  });

  return {
    subscriberName: `verso-sub-${instance}`,
    async publish(documentId: string, op: AppliedOp): Promise<void> {
      await pubsub.publish(opsChannel(prefix, documentId), op);
    },
    async subscribe(documentId: string, listener: OpListener): Promise<Unsubscribe> {
      const id = await pubsub.subscribe<AppliedOp>(opsChannel(prefix, documentId), (op) => {
        try {
          const result = listener(op);
          if (result instanceof Promise) result.catch(() => {});
        } catch {
          // A listener's failure is its own [B5]; other subscribers still receive the op.
        }
      });
      let done = false;
      return async () => {
        if (done) return;
        done = true;
        pubsub.unsubscribe(id);
      };
    },
    onResubscribed(callback) {
      resubscribed.add(callback);
      return () => resubscribed.delete(callback);
    },
    async close() {
      await Promise.allSettled([publisher.quit(), subscriber.quit()]);
    },
  };
}
