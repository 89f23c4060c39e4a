/**
 * Live streams recheck access on their own (issue 14): a removal whose access-change message was
 * lost (the instance died between the commit and the announce) still ends the removed person's
 * streams, within ACCESS_RECHECK_MS (15 s by default; 300 ms here).
 */
import { describe, expect, it } from 'vitest';
import { bearer, createToken, eventually, signUp } from '../support/auth.ts';
import { gqlHttp, wsClient } from '../support/graphql-client.ts';
import { testPrisma } from '../support/prisma.ts';
import { startTestServer } from '../support/server.ts';

describe('periodic access recheck of live streams', () => {
  it('a removal whose access message was lost still ends the removed reader’s streams with NOT_FOUND', async () => {
    const server = await startTestServer({ env: { ACCESS_RECHECK_MS: '300' } });
    const owner = await signUp(server);
    const reader = await signUp(server);
    const token = (await createToken(server, reader.cookie)).token;
    const created = await gqlHttp<{ createDocument: { id: string } }>(server.url, 'mutation { createDocument(title: "Recheck") { id } }', {}, { cookie: owner.cookie });
    const documentId = created.body.data!.createDocument.id;
    const shared = await gqlHttp(server.url, 'mutation($d: ID!, $e: String!) { shareDocument(documentId: $d, email: $e, role: VIEWER) { role } }', { d: documentId, e: reader.email }, { cookie: owner.cookie });
    expect(shared.body.errors).toBeUndefined();

    const client = wsClient(server.url, { connectionParams: { authorization: bearer(token) } });
    const codes: Record<string, string[]> = { batches: [], presence: [] };
    const ended: Record<string, boolean> = { batches: false, presence: false };
    const queries = {
      batches: { query: 'subscription($d: ID!) { documentOperationBatches(documentId: $d, fromVersion: 0) { operations { version } } }', variables: { d: documentId } },
      presence: { query: 'subscription($d: ID!) { presence(documentId: $d) { clientId } }', variables: { d: documentId } },
    };
    try {
      for (const [name, payload] of Object.entries(queries)) {
        client.subscribe(payload, {
          next: (r) => void (r.errors && codes[name]!.push(String(r.errors[0]?.extensions?.code))),
          error: () => {},
          complete: () => void (ended[name] = true),
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(codes).toEqual({ batches: [], presence: [] });
      // Removed in the database with no announcement: the message that was lost.
      await testPrisma().documentMember.delete({ where: { documentId_userId: { documentId, userId: reader.userId } } });
      await eventually(() => ended.batches! && ended.presence!, 3_000);
      expect(codes).toEqual({ batches: ['NOT_FOUND'], presence: ['NOT_FOUND'] });
    } finally {
      await client.dispose();
    }
  });
});
