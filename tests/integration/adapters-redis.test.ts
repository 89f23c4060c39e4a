/**
 * The Redis adapters against the contracts their in-process siblings pass in
 * tests/unit/adapters-in-process.test.ts (the broadcaster's runs in pubsub-redis-broadcaster.test.ts):
 * presence across two instances, and the rate limiter.
 */
import { Redis } from 'ioredis';
import { inject } from 'vitest';
import { createRedisPresence } from '../../lib/presence/redis-presence.ts';
import { openRedisPubSub } from '../../lib/pubsub/redis-connections.ts';
import { createRedisRateLimiter } from '../../lib/rate-limit/redis-rate-limiter.ts';
import type { RateLimiter } from '../../lib/rate-limit/rate-limiter.ts';
import { CONTRACT_TTL_MS, registerPresenceContract } from '../support/presence-contract.ts';
import { registerRateLimiterContract } from '../support/rate-limiter-contract.ts';

const redisUrl = inject('redisUrl');
const prefix = inject('redisPrefix');

registerPresenceContract('Redis, across two instances', (clock) => {
  const instance = () => {
    const redis = new Redis(redisUrl);
    const connections = openRedisPubSub(redisUrl);
    const presence = createRedisPresence({ redis, connections, prefix, ttlMs: CONTRACT_TTL_MS, sweepEveryMs: 60_000, now: () => clock.now });
    const close = async () => {
      presence.close();
      await connections.close();
      redis.disconnect();
    };
    return { presence, close };
  };
  const [a, b] = [instance(), instance()];
  return { presence: a.presence, peer: b.presence, teardown: () => Promise.all([a.close(), b.close()]).then(() => {}) };
});

registerRateLimiterContract('Redis', () => {
  const redis = new Redis(redisUrl);
  // A fallback that fails the test if used: the contract must be Redis's own buckets.
  const noFallback: RateLimiter = { consume: () => Promise.reject(new Error('the Redis rate limiter fell back to in-process buckets')) };
  return { limiter: createRedisRateLimiter(redis, prefix, noFallback), teardown: () => void redis.disconnect() };
});
