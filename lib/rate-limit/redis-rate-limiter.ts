/**
 * Rate limits kept in Redis, so they hold across every instance: a token bucket per (rule,
 * subject), updated atomically by one Lua script that reads Redis's clock (instances' clocks may
 * disagree; Redis's is the one all of them share).
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RateLimitRule } from '../config.ts';
import { createInProcessRateLimiter } from './in-process-rate-limiter.ts';
import type { RateLimitDecision, RateLimiter } from './rate-limiter.ts';

// KEYS[1] = bucket; ARGV = capacity, window in ms, cost. Returns { allowed 0|1, retry after ms }.
const TOKEN_BUCKET = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local capacity = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local rate = capacity / window
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then tokens = capacity; ts = now end
tokens = math.min(capacity, tokens + math.max(0, now - ts) * rate)
local allowed = 0
local retry = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
else
  retry = math.ceil((cost - tokens) / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], window)
return { allowed, retry }
`;

/**
 * Takes one token from the bucket of `rule` for `subject` (e.g. an email, an address, a
 * connection id), under `${prefix}ratelimit:${name}:`. The subject is hashed: keys must not
 * store emails or addresses in clear.
 */
export async function consumeRateLimit(
  redis: Redis,
  prefix: string,
  name: string,
  rule: RateLimitRule,
  subject: string,
): Promise<RateLimitDecision> {
  const digest = createHash('sha256').update(subject).digest('base64url').slice(0, 22);
  const key = `${prefix}ratelimit:${name}:${digest}`;
  const [allowed, retryMs] = (await redis.eval(TOKEN_BUCKET, 1, key, rule.limit, rule.windowSeconds * 1000, 1)) as [number, number];
  if (allowed === 1) return { allowed: true };
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(retryMs / 1000)) };
}

/**
 * The Redis-backed {@link RateLimiter}: buckets under `${prefix}ratelimit:`. When Redis does not
 * answer (down, or past the connection's command timeout), the decision comes from `fallback`,
 * this process's own buckets: limits then hold per instance instead of across them, rather than
 * every sign-in and HTTP submission failing for as long as the outage lasts (issue 14).
 */
export function createRedisRateLimiter(redis: Redis, prefix: string, fallback: RateLimiter = createInProcessRateLimiter()): RateLimiter {
  return {
    consume: (name, rule, subject) => consumeRateLimit(redis, prefix, name, rule, subject).catch(() => fallback.consume(name, rule, subject)),
  };
}
