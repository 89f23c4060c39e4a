import { describe, expect, it } from 'vitest';
import { watchGrantPeriodically } from '../../graphql/access-recheck.ts';
import type { GraphQLContext } from '../../graphql/context.ts';
import type { DocumentGrant } from '../../lib/auth/permissions.ts';

/**
 * The wiring of issue 16's cut: a recheck round hands the grant it read for a stream to the
 * grant cache of that stream's connection (the database side is covered by
 * live-access-recheck.test.ts; here the round's query answers from memory).
 */
describe('access-recheck rounds refresh the connection grant cache (issue 16)', () => {
  it('each round confirms what it read for (document, viewer) with the connection that streams it, none when the viewer has no grant', async () => {
    const confirmed: Array<{ documentId: string; grant: DocumentGrant | null; readAt: number }> = [];
    const members = [{ documentId: 'd1', userId: 'u1', role: 'EDITOR', document: { deletedAt: null } }];
    const services = {
      config: { accessRecheckMs: 20 },
      prisma: { documentMember: { findMany: async () => members } },
      logger: { warn: () => {} },
    };
    const ctx = (userId: string) =>
      ({
        viewer: { userId },
        services,
        connection: { grants: { confirm: (documentId: string, grant: DocumentGrant | null, readAt: number) => void confirmed.push({ documentId, grant, readAt }) } },
      }) as unknown as GraphQLContext;
    const seen: Array<DocumentGrant | null> = [];
    const startedAt = Date.now();
    const stops = [watchGrantPeriodically(ctx('u1'), 'd1', (g) => seen.push(g)), watchGrantPeriodically(ctx('u2'), 'd1', (g) => seen.push(g))];
    try {
      const deadline = Date.now() + 5000;
      while (confirmed.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      const [editor, stranger] = confirmed;
      expect(editor).toEqual({ documentId: 'd1', grant: { kind: 'document', role: 'EDITOR', deleted: false }, readAt: expect.any(Number) });
      expect(editor!.readAt).toBeGreaterThanOrEqual(startedAt);
      expect(stranger).toEqual({ documentId: 'd1', grant: null, readAt: editor!.readAt });
      expect(seen.slice(0, 2)).toEqual([editor!.grant, null]);
    } finally {
      for (const stop of stops) stop();
    }
  });
});
