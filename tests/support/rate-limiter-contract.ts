/**
 * The contract every `RateLimiter` must pass (lib/rate-limit/rate-limiter.ts): a token bucket per
 * (name, subject) with capacity `limit`, refilled at `limit / window`. Call
 * `registerRateLimiterContract('name', factory)`; each test uses names of its own.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumeAll, type RateLimiter } from '../../lib/rate-limit/rate-limiter.ts';

export interface RateLimiterFixture {
  readonly limiter: RateLimiter;
  readonly teardown?: () => Promise<void> | void;
}

export function registerRateLimiterContract(name: string, factory: () => Promise<RateLimiterFixture> | RateLimiterFixture): void {
  describe(`RateLimiter contract: ${name}`, () => {
    let fixture: RateLimiterFixture;
    beforeAll(async () => {
      fixture = await factory();
    });
    afterAll(async () => {
      await fixture.teardown?.();
    });
    const unique = () => `contract-${randomUUID()}`;

    it('allows `limit` attempts, then refuses with a retry hint within the window', async () => {
      const rule = { limit: 3, windowSeconds: 60 };
      const bucket = unique();
      for (let i = 0; i < 3; i += 1) expect(await fixture.limiter.consume(bucket, rule, 'subject')).toEqual({ allowed: true });
      const refused = await fixture.limiter.consume(bucket, rule, 'subject');
      expect(refused.allowed).toBe(false);
      const retryAfter = refused.allowed ? 0 : refused.retryAfterSeconds;
      // One token comes back every 20 s.
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(20);
    });

    it('keeps subjects and names apart', async () => {
      const rule = { limit: 1, windowSeconds: 60 };
      const bucket = unique();
      expect(await fixture.limiter.consume(bucket, rule, 'a')).toEqual({ allowed: true });
      expect((await fixture.limiter.consume(bucket, rule, 'a')).allowed).toBe(false);
      expect(await fixture.limiter.consume(bucket, rule, 'b')).toEqual({ allowed: true });
      expect(await fixture.limiter.consume(unique(), rule, 'a')).toEqual({ allowed: true });
    });

    it('refills over its window', async () => {
      // Two tokens a second: one is back after 500 ms, so 700 ms leaves room for a slow machine.
      const rule = { limit: 2, windowSeconds: 1 };
      const bucket = unique();
      expect(await fixture.limiter.consume(bucket, rule, 's')).toEqual({ allowed: true });
      expect(await fixture.limiter.consume(bucket, rule, 's')).toEqual({ allowed: true });
      expect((await fixture.limiter.consume(bucket, rule, 's')).allowed).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 700));
      expect(await fixture.limiter.consume(bucket, rule, 's')).toEqual({ allowed: true });
    });

    it('consumeAll: the first refusal wins and later buckets are not charged', async () => {
      const spent = { name: unique(), rule: { limit: 1, windowSeconds: 60 }, subject: 's' };
      const later = { name: unique(), rule: { limit: 1, windowSeconds: 60 }, subject: 's' };
      expect(await fixture.limiter.consume(spent.name, spent.rule, spent.subject)).toEqual({ allowed: true });
      expect((await consumeAll(fixture.limiter, [spent, later])).allowed).toBe(false);
      expect(await fixture.limiter.consume(later.name, later.rule, later.subject)).toEqual({ allowed: true });
    });
  });
}
