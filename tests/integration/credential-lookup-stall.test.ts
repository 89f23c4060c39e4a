/**
 * A stalled PostgreSQL during the credential lookup (review leftovers, item 2): the shared lookup
 * in lib/auth/viewer.ts has a deadline, so a request or connection is told to come back
 * (SERVICE_UNAVAILABLE with retryAfterSeconds over HTTP; close 1013 "try again later" naming
 * SERVICE_UNAVAILABLE over WebSocket) instead of hanging or answering INTERNAL_SERVER_ERROR. The
 * database is really stalled: the server reaches it through a TCP proxy that holds every byte.
 */
import { describe, expect, inject, it } from 'vitest';
import { CREDENTIAL_LOOKUP_TIMEOUT_MS, CREDENTIAL_RETRY_AFTER_SECONDS } from '../../lib/auth/viewer.ts';
import { bearer, createToken, openSocket, signUp } from '../support/auth.ts';
import { gqlHttp } from '../support/graphql-client.ts';
import { startTestServer } from '../support/server.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';

/** Longer than the lookup's deadline plus a loaded machine's delays: past it, the answer "hung". */
const ANSWER_WITHIN_MS = CREDENTIAL_LOOKUP_TIMEOUT_MS + 5_000;

const ME = '{ me { id } }';

async function stalledServer() {
  const real = new URL(inject('databaseUrl'));
  const proxy = await startTcpProxy({ host: real.hostname, port: Number(real.port || 5432) });
  const viaProxy = new URL(real.href);
  viaProxy.host = `127.0.0.1:${proxy.port}`;
  const server = await startTestServer({ env: { DATABASE_URL: viaProxy.href, SEARCH_INDEX_INTERVAL_MS: '0' } });
  return { proxy, server };
}

describe('credential lookup while PostgreSQL is stalled', () => {
  it('over HTTP: SERVICE_UNAVAILABLE with retryAfterSeconds, HTTP 503 and Retry-After, within the deadline; signed in again once it answers', async () => {
    const { proxy, server } = await stalledServer();
    const owner = await signUp(server);
    const { token } = await createToken(server, owner.cookie);
    try {
      proxy.cut('blackhole');
      for (const auth of [{ cookie: owner.cookie }, { authorization: bearer(token) }] as Array<Record<string, string>>) {
        const started = performance.now();
        const { response, body } = await gqlHttp(server.url, ME, {}, auth);
        const took = performance.now() - started;
        expect(took).toBeLessThan(ANSWER_WITHIN_MS);
        expect(response.status).toBe(503);
        expect(response.headers.get('retry-after')).toBe(String(CREDENTIAL_RETRY_AFTER_SECONDS));
        expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: CREDENTIAL_RETRY_AFTER_SECONDS });
        expect(body.errors?.[0]?.message).toMatch(/retry after/i);
      }
      proxy.restore();
      const again = await gqlHttp<{ me: { id: string } | null }>(server.url, ME, {}, { cookie: owner.cookie });
      expect(again.body.data?.me?.id).toBe(owner.userId);
    } finally {
      proxy.restore();
      await server.close();
    }
  }, 60_000);

  it('over WebSocket: the connection closes 1013 naming SERVICE_UNAVAILABLE and when to retry, within the deadline; connects once it answers', async () => {
    const { proxy, server } = await stalledServer();
    const owner = await signUp(server);
    try {
      proxy.cut('blackhole');
      const started = performance.now();
      const socket = openSocket(server, { headers: { cookie: owner.cookie } });
      const closed = await socket.closed;
      expect(performance.now() - started).toBeLessThan(ANSWER_WITHIN_MS);
      expect(closed.code).toBe(1013);
      expect(closed.reason).toContain('SERVICE_UNAVAILABLE');
      expect(closed.reason).toContain(`retry after ${CREDENTIAL_RETRY_AFTER_SECONDS} s`);
      await socket.dispose();

      proxy.restore();
      const again = openSocket(server, { headers: { cookie: owner.cookie } });
      await again.connected;
      const me = await again.query<{ me: { id: string } }>(ME);
      expect(me.data?.me.id).toBe(owner.userId);
      await again.dispose();
    } finally {
      proxy.restore();
      await server.close();
    }
  }, 60_000);
});
