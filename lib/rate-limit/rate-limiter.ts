/**
 * The rate limiter port: token buckets per (rule name, subject). Implementations: Redis
 * (./redis-rate-limiter.ts, shared by every instance) and in-process
 * (./in-process-rate-limiter.ts); both pass tests/support/rate-limiter-contract.ts.
 */
import type { RateLimitRule } from '../config.ts';

export type { RateLimitRule };

/** The outcome of one attempt: allowed, or refused with how long to wait. */
export type RateLimitDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

/** Where the buckets live: Redis (shared by every instance) or the process (one instance). Same rules, same math. */
export interface RateLimiter {
  /** Takes one token from the bucket of `rule` named `name` for `subject`. */
  consume(name: string, rule: RateLimitRule, subject: string): Promise<RateLimitDecision>;
}

/** Takes one token from each rule in turn; the first refusal wins (later buckets are not charged). */
export async function consumeAll(
  limiter: RateLimiter,
  checks: ReadonlyArray<{ name: string; rule: RateLimitRule; subject: string }>,
): Promise<RateLimitDecision> {
  for (const check of checks) {
    const decision = await limiter.consume(check.name, check.rule, check.subject);
    if (!decision.allowed) return decision;
  }
  return { allowed: true };
}
