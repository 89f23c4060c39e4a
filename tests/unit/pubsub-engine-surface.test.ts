/**
 * graphql-redis-subscriptions (2.7.0) types its connections as ioredis clients, but Verso hands it
 * {@link PubSubClient}s (lib/pubsub/connections.ts: the guarded Redis wrapper, or the in-process
 * hub). This records every property the engine touches on them while subscribing, publishing,
 * receiving, unsubscribing and closing, and fails when an upgrade makes it reach for anything
 * the interface does not have.
 */
import { describe, expect, it } from 'vitest';
import { createPubSubEngine, type PubSubClient, type PubSubConnections } from '../../lib/pubsub/connections.ts';
import { InProcessPubSubHub, openInProcessPubSub } from '../../lib/pubsub/in-process-hub.ts';
import { waitUntil } from '../support/collab-broadcaster-contract.ts';

const PUB_SUB_CLIENT_KEYS = ['publish', 'subscribe', 'unsubscribe', 'punsubscribe', 'on', 'off', 'quit'] as const satisfies readonly (keyof PubSubClient)[];
// Fails to compile when PubSubClient gains a member this list lacks.
const covered: Exclude<keyof PubSubClient, (typeof PUB_SUB_CLIENT_KEYS)[number]> extends never ? true : never = true;

function recording(client: PubSubClient, touched: Set<string>): PubSubClient {
  return new Proxy(client, {
    get(target, key) {
      touched.add(String(key));
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('what graphql-redis-subscriptions touches on its connections', () => {
  it('stays within PubSubClient while subscribing, publishing, receiving, unsubscribing and closing', async () => {
    expect(covered).toBe(true);
    const touched = new Set<string>();
    const real = openInProcessPubSub(new InProcessPubSubHub());
    const connections: PubSubConnections = { ...real, publisher: recording(real.publisher, touched), subscriber: recording(real.subscriber, touched) };
    const engine = createPubSubEngine(connections);
    const received: unknown[] = [];
    const id = await engine.subscribe('surface', (message: unknown) => void received.push(message));
    await engine.publish('surface', { n: 1 });
    await waitUntil(() => received.length === 1, 'the message');
    engine.unsubscribe(id);
    await engine.close();
    expect(received).toEqual([{ n: 1 }]);
    expect([...touched].filter((key) => !(PUB_SUB_CLIENT_KEYS as readonly string[]).includes(key))).toEqual([]);
    expect([...touched].sort()).toEqual(expect.arrayContaining(['on', 'publish', 'quit', 'subscribe', 'unsubscribe']));
  });
});
