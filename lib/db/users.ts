/**
 * Display data of users, cached per process: ops and presence events name their authors, and a
 * hot document would otherwise read the same user row once per op per subscriber.
 */
import type { PrismaClient } from './prisma.ts';

export interface UserInfo {
  readonly id: string;
  readonly name: string | null;
  readonly email: string;
}

export interface UserDirectory {
  /** The user, or null when the account no longer exists. Batches concurrent lookups. */
  get(id: string): Promise<UserInfo | null>;
  /** Forgets a user (after they rename themselves). */
  forget(id: string): void;
}

export function createUserDirectory(prisma: PrismaClient, options: { ttlMs?: number; maxEntries?: number } = {}): UserDirectory {
  const ttlMs = options.ttlMs ?? 60_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const cache = new Map<string, { value: Promise<UserInfo | null>; expires: number }>();
  let pending: Map<string, Array<(user: UserInfo | null) => void>> | null = null;

  const flush = async (batch: Map<string, Array<(user: UserInfo | null) => void>>) => {
    try {
      const rows = await prisma.user.findMany({ where: { id: { in: [...batch.keys()] } }, select: { id: true, name: true, email: true } });
      const byId = new Map(rows.map((r) => [r.id, r]));
      for (const [id, resolvers] of batch) for (const resolve of resolvers) resolve(byId.get(id) ?? null);
    } catch {
      for (const [id, resolvers] of batch) {
        cache.delete(id);
        for (const resolve of resolvers) resolve(null);
      }
    }
  };

  return {
    get(id) {
      const hit = cache.get(id);
      if (hit && hit.expires > Date.now()) return hit.value;
      const value = new Promise<UserInfo | null>((resolve) => {
        if (!pending) {
          pending = new Map();
          const batch = pending;
          queueMicrotask(() => {
            pending = null;
            void flush(batch);
          });
        }
        const waiting = pending.get(id) ?? [];
        waiting.push(resolve);
        pending.set(id, waiting);
      });
      cache.set(id, { value, expires: Date.now() + ttlMs });
      if (cache.size > maxEntries) cache.delete(cache.keys().next().value as string);
      return value;
    },
    forget(id) {
      cache.delete(id);
    },
  };
}
