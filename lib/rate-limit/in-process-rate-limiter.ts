/**
 * Rate limits kept in this process, for a single instance without Redis: the same token bucket as
 * ./redis-rate-limiter.ts's Lua script (capacity `limit`, refilled at `limit / window`, a bucket
 * forgotten once a full window passes untouched), on this process's clock.
 */
import type { RateLimitRule } from '../config.ts';
import type { RateLimitDecision, RateLimiter } from './rate-limiter.ts';

interface Bucket {
  tokens: number;
  at: number;
  expiresAt: number;
}

/** An in-process {@link RateLimiter}; `now` is injectable for tests. */
export function createInProcessRateLimiter(now: () => number = Date.now): RateLimiter {
  const buckets = new Map<string, Bucket>();
  let calls = 0;

  // Forgets idle buckets now and then, as PEXPIRE does in Redis, so memory stays bounded.
  const purge = (at: number) => {
    for (const [key, bucket] of buckets) if (bucket.expiresAt <= at) buckets.delete(key);
  };

  return {
    async consume(name: string, rule: RateLimitRule, subject: string): Promise<RateLimitDecision> {
      const at = now();
      if (++calls % 1000 === 0) purge(at);
      const windowMs = rule.windowSeconds * 1000;
      const rate = rule.limit / windowMs;
      const key = `${name}\u0000${subject}`;
      const found = buckets.get(key);
      const fresh = !found || found.expiresAt <= at;
      const bucket = fresh ? { tokens: rule.limit, at, expiresAt: 0 } : found;
      bucket.tokens = Math.min(rule.limit, bucket.tokens + Math.max(0, at - bucket.at) * rate);
      bucket.at = at;
      bucket.expiresAt = at + windowMs;
      buckets.set(key, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { allowed: true };
      }
      const retryMs = Math.ceil((1 - bucket.tokens) / rate);
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(retryMs / 1000)) };
    },
  };
}
