/**
 * The Redis implementation of lib/collab's Broadcaster port (rules B1–B5 in lib/collab/SPEC.md)
 * on graphql-redis-subscriptions: one channel per document, `<prefix>doc:<documentId>:ops`.
 *
 * Each message is serialised once when published and parsed once per receiving process, however
 * many subscribers that process has. Redis pub/sub is fire-and-forget: while the subscriber
 * connection is down, messages are lost; the connections' `onResubscribed` tells when it is back
 * so op feeds can refill from PostgreSQL (an op feed also refills whenever it sees a gap).
 */
import { Delta } from '../ot/operation.ts';
import type { Broadcaster, OpListener, Unsubscribe } from '../collab/broadcaster.ts';
import type { AppliedOp } from '../collab/types.ts';
import { createPubSubEngine, type PubSubConnections } from './connections.ts';

/** The wire form of an AppliedOp: short keys, the document id implied by the channel. */
interface WireOp {
  readonly v: number;
  readonly d: Delta['ops'];
  readonly a: string | null;
  readonly c: string;
  readonly s: number;
  readonly t: number;
}

export interface RedisBroadcasterOptions {
  /** Shared pub/sub connections (the caller closes them). */
  readonly connections: PubSubConnections;
  /** Key prefix shared by every instance of one deployment (e.g. `verso:`). */
  readonly prefix: string;
}

export const opsChannel = (prefix: string, documentId: string): string => `${prefix}doc:${documentId}:ops`;

function documentIdOf(prefix: string, channel: string): string {
  return channel.slice(prefix.length + 'doc:'.length, -':ops'.length);
}

/** Creates a broadcaster on shared pub/sub connections. */
export function createRedisBroadcaster(options: RedisBroadcasterOptions): Broadcaster {
  const { prefix, connections } = options;
  const pubsub = createPubSubEngine(connections, {
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
  };
}
