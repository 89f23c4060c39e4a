/**
 * Credential lookups under a flood (issue 14, abuse suite's flood over HTTP): requests carrying the
 * same API token while its lookup runs share that one PostgreSQL query, and nothing is kept after
 * it answers, so a revoked token is refused on the next request.
 */
import { describe, expect, it } from 'vitest';
import { createViewerResolver } from '../../lib/auth/viewer.ts';
import type { PrismaClient } from '../../lib/db/prisma.ts';
import { bearer, createToken, signUp } from '../support/auth.ts';
import { startTestServer } from '../support/server.ts';

/** The server's Prisma client, counting `apiToken.findUnique` calls. */
function countingTokenReads(prisma: PrismaClient) {
  const counter = { reads: 0 };
  const client = new Proxy(prisma, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property !== 'apiToken') return value;
      return new Proxy(value, {
        get(model, method, modelReceiver) {
          const fn = Reflect.get(model, method, modelReceiver);
          if (method !== 'findUnique') return fn;
          return (...args: unknown[]) => {
            counter.reads += 1;
            return fn.apply(model, args);
          };
        },
      });
    },
  });
  return { client, counter };
}

describe('viewer lookups', () => {
  it('50 concurrent requests with one API token cost one token read; after it answers, a revocation is seen at once', async () => {
    const server = await startTestServer();
    const account = await signUp(server);
    const { token } = await createToken(server, account.cookie);
    const { client, counter } = countingTokenReads(server.services.prisma);
    const resolve = createViewerResolver({ prisma: client, appOrigin: 'http://localhost:3000', onError: () => {} });

    const viewers = await Promise.all(Array.from({ length: 50 }, () => resolve({ authorization: bearer(token) })));
    expect(viewers.map((v) => v?.userId)).toEqual(viewers.map(() => account.userId));
    expect(counter.reads).toBe(1);

    await server.services.prisma.apiToken.updateMany({ where: { userId: account.userId }, data: { revokedAt: new Date() } });
    expect(await resolve({ authorization: bearer(token) })).toBeNull();
    expect(counter.reads).toBe(2);
  });
});
