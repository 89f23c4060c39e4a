/**
 * Operability (issue 9): /api/metrics is Prometheus text, closed to the public by configuration
 * (METRICS_TOKEN, else direct loopback only), and its counters follow real work; responses carry
 * a request id; readiness answers 503 once draining has begun.
 */
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { bearer, createToken, signUp } from '../support/auth.ts';
import { gqlHttp } from '../support/graphql-client.ts';
import { startTestServer } from '../support/server.ts';

function sample(metrics: string, name: string): number {
  const match = new RegExp(`^${name.replace(/[{}"]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(metrics);
  return match ? Number(match[1]) : Number.NaN;
}

describe('/api/metrics', () => {
  it('without METRICS_TOKEN: serves direct loopback requests, refuses proxied ones', async () => {
    const server = await startTestServer();
    const direct = await fetch(`${server.url}/api/metrics`);
    expect(direct.status).toBe(200);
    expect(direct.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await direct.text();
    expect(text).toContain('# TYPE verso_ops_applied_total counter');
    expect(text).toContain('# TYPE verso_op_ack_seconds histogram');
    expect(text).toContain('# TYPE verso_fanout_lag_seconds histogram');
    expect(text).toContain('# TYPE verso_websocket_connections gauge');
    expect(text).toContain('# TYPE verso_postgres_errors_total counter');
    expect(text).toContain('# TYPE verso_redis_errors_total counter');
    expect(text).toContain('# TYPE verso_rate_limited_total counter');
    // A reverse proxy on this machine forwards someone else's request: not loopback.
    expect((await fetch(`${server.url}/api/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } })).status).toBe(403);
    expect((await fetch(`${server.url}/api/metrics`, { headers: { forwarded: 'for=203.0.113.9' } })).status).toBe(403);
  });

  it('with METRICS_TOKEN: only the bearer of that token', async () => {
    const secret = 'metrics-secret-0123456789';
    const server = await startTestServer({ env: { METRICS_TOKEN: secret } });
    expect((await fetch(`${server.url}/api/metrics`)).status).toBe(403);
    expect((await fetch(`${server.url}/api/metrics`, { headers: { authorization: bearer('wrong-token-0123456789') } })).status).toBe(403);
    const allowed = await fetch(`${server.url}/api/metrics`, { headers: { authorization: bearer(secret), 'x-forwarded-for': '203.0.113.9' } });
    expect(allowed.status).toBe(200);
  });

  it('counts applied and duplicate ops, times acks, and tags responses with a request id', async () => {
    const server = await startTestServer();
    const owner = await signUp(server);
    const { token } = await createToken(server, owner.cookie);
    const auth = { authorization: bearer(token) };
    const created = await gqlHttp<{ createDocument: { id: string } }>(server.url, 'mutation { createDocument(title: "M") { id } }', {}, auth);
    const documentId = created.body.data!.createDocument.id;
    const submit = () =>
      gqlHttp(
        server.url,
        'mutation($input: SubmitOperationInput!) { submitOperation(input: $input) { version } }',
        { input: { documentId, baseVersion: 0, clientId: 'metrics', clientSeq: 1, delta: { ops: [{ insert: 'x' }] } } },
        auth,
      );
    const first = await submit();
    expect(first.response.headers.get('x-request-id')).toMatch(/^[\w.-]{8,}$/);
    await submit();
    const text = await (await fetch(`${server.url}/api/metrics`)).text();
    expect(sample(text, 'verso_ops_applied_total{outcome="applied"}')).toBe(1);
    expect(sample(text, 'verso_ops_applied_total{outcome="duplicate"}')).toBe(1);
    expect(sample(text, 'verso_op_ack_seconds_count')).toBe(2);
    // A well-formed id from the proxy is kept, so nginx's and Verso's logs line up.
    const tagged = await fetch(`${server.url}/api/health`, { headers: { 'x-request-id': 'abcdef0123456789' } });
    expect(tagged.headers.get('x-request-id')).toBe('abcdef0123456789');
  });
});

describe('/api/ready while draining', () => {
  it('answers 503 { status: "draining" } to a request that reaches the server after close() began', async () => {
    const server = await startTestServer();
    const socket = connect(server.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    // Headers half sent: the connection is busy, so the drain does not cut it as idle.
    socket.write('GET /api/ready HTTP/1.1\r\nHost: localhost\r\n');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closing = server.close();
    socket.write('Connection: close\r\n\r\n');
    await new Promise((resolve) => socket.once('close', resolve));
    await closing;
    expect(answer).toMatch(/^HTTP\/1\.1 503 /);
    expect(answer).toContain('{"status":"draining"}');
  });
});
