/**
 * The in-process adapters (a single instance without Redis) against the contracts their Redis
 * siblings pass in tests/integration/adapters-redis.test.ts: the broadcaster over the in-process
 * hub (two connections pairs as two peers), presence and the rate limiter.
 */
import { createInProcessPresence } from '../../lib/presence/in-process-presence.ts';
import { InProcessPubSubHub, openInProcessPubSub } from '../../lib/pubsub/in-process-hub.ts';
import { createRedisBroadcaster } from '../../lib/pubsub/redis-broadcaster.ts';
import { createInProcessRateLimiter } from '../../lib/rate-limit/in-process-rate-limiter.ts';
import { registerBroadcasterContract } from '../support/collab-broadcaster-contract.ts';
import { CONTRACT_TTL_MS, registerPresenceContract } from '../support/presence-contract.ts';
import { registerRateLimiterContract } from '../support/rate-limiter-contract.ts';

registerBroadcasterContract('in-process hub, two peers', () => {
  const hub = new InProcessPubSubHub();
  const [a, b] = [openInProcessPubSub(hub), openInProcessPubSub(hub)];
  return {
    broadcaster: createRedisBroadcaster({ connections: a, prefix: 'test:' }),
    peer: createRedisBroadcaster({ connections: b, prefix: 'test:' }),
    teardown: async () => {
      await Promise.all([a.close(), b.close()]);
    },
  };
});

registerPresenceContract('in-process', (clock) => {
  const connections = openInProcessPubSub(new InProcessPubSubHub());
  const presence = createInProcessPresence({ connections, prefix: 'test:', ttlMs: CONTRACT_TTL_MS, sweepEveryMs: 60_000, now: () => clock.now });
  return {
    presence,
    teardown: async () => {
      presence.close();
      await connections.close();
    },
  };
});

registerRateLimiterContract('in-process', () => ({ limiter: createInProcessRateLimiter() }));
