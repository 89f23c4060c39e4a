/**
 * PostgreSQL unreachable while people type (issue 13: every refusal has its code). A submission
 * that cannot reach the database is answered `SERVICE_UNAVAILABLE` with `retryAfterSeconds`, not
 * INTERNAL_SERVER_ERROR, and nothing is stored; once PostgreSQL is back the same op is accepted.
 * PostgreSQL is really taken away: the server reaches it through a TCP proxy the test cuts.
 */
import { describe, expect, inject, it } from 'vitest';
import { bearer, createToken, openSocket, signUp } from '../support/auth.ts';
import { gqlHttp } from '../support/graphql-client.ts';
import { startTestServer } from '../support/server.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';

const SUBMIT = 'mutation($i: SubmitOperationInput!) { submitOperation(input: $i) { version } }';

describe('PostgreSQL unreachable during submitOperation', () => {
  it('answers SERVICE_UNAVAILABLE with retryAfterSeconds, stores nothing, and accepts the resend once it is back', async () => {
    const real = new URL(inject('databaseUrl'));
    const proxy = await startTcpProxy({ host: real.hostname, port: Number(real.port || 5432) });
    const viaProxy = new URL(real.href);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const server = await startTestServer({ env: { DATABASE_URL: viaProxy.href } });
    const owner = await signUp(server);
    const { token } = await createToken(server, owner.cookie);
    const created = await gqlHttp<{ createDocument: { id: string } }>(server.url, 'mutation { createDocument(title: "Outage") { id } }', {}, { cookie: owner.cookie });
    const documentId = created.body.data!.createDocument.id;
    const socket = openSocket(server, { connectionParams: { authorization: bearer(token) } });
    try {
      await socket.connected;
      const op = (clientSeq: number, baseVersion: number) => ({ i: { documentId, baseVersion, clientId: 'outage-client', clientSeq, delta: { ops: [{ insert: `op${clientSeq} ` }] } } });
      const first = await socket.query<{ submitOperation: { version: number } }>(SUBMIT, op(1, 0));
      expect(first.data?.submitOperation.version).toBe(1);

      proxy.cut('refuse');
      const refused = await socket.query<{ submitOperation: { version: number } }>(SUBMIT, op(2, 1));
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: expect.any(Number) });
      expect(refused.errors?.[0]?.message).toContain('nothing was stored');

      proxy.restore();
      let accepted: number | undefined;
      for (let attempt = 0; attempt < 20 && accepted === undefined; attempt++) {
        const again = await socket.query<{ submitOperation: { version: number } }>(SUBMIT, op(2, 1));
        accepted = again.data?.submitOperation.version;
        if (accepted === undefined) await new Promise((resolve) => setTimeout(resolve, 500));
      }
      expect(accepted).toBe(2);
      const stored = await server.services.prisma.operation.count({ where: { documentId } });
      expect(stored).toBe(2);
    } finally {
      await socket.dispose();
      await server.close();
      await proxy.close();
    }
  }, 60_000);
});
