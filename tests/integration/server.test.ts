import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { gqlHttp, wsClient, wsQuery } from '../support/graphql-client.ts';
import { startTestServer, testConfig } from '../support/server.ts';
import { signUp } from '../support/auth.ts';
import { checkRedis, ServiceUnavailableError } from '../../lib/server/preflight.ts';
import { DatabaseUnreachableError, ensureDatabase } from '../../lib/migrator/migrate.ts';

describe('the Verso server', () => {
  it('answers { __typename } over HTTP and over graphql-ws on one port, and is ready', async () => {
    const server = await startTestServer();
    const { response, body } = await gqlHttp(server.url, '{ __typename }');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(body).toEqual({ data: { __typename: 'Query' } });

    // graphql-ws serves signed-in callers only (unauthenticated connections are closed with 4401).
    const { cookie } = await signUp(server);
    const client = wsClient(server.url, { headers: { cookie } });
    try {
      expect(await wsQuery(client, '{ __typename }')).toEqual({ data: { __typename: 'Query' } });
    } finally {
      await client.dispose();
    }

    const ready = await fetch(`${server.url}/api/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', postgres: true, redis: true });
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
  });

  it('refuses a GraphQL body over 1 MiB with PAYLOAD_TOO_LARGE', async () => {
    const server = await startTestServer();
    const { response, body } = await gqlHttp(server.url, `{ __typename } # ${'x'.repeat(1024 * 1024)}`);
    expect(response.status).toBe(413);
    expect(body.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('on close: reports draining, tells WebSocket clients to reconnect (1012), then stops listening', async () => {
    const server = await startTestServer();
    const closes: number[] = [];
    const { cookie } = await signUp(server);
    const client = wsClient(server.url, { headers: { cookie }, onClose: (code) => closes.push(code) });
    await wsQuery(client, '{ __typename }');
    // A subscription keeps the socket open while the server drains.
    const pending = new Promise<void>((resolve) => {
      client.subscribe({ query: 'subscription { __typename }' }, { next: () => {}, error: () => resolve(), complete: () => resolve() });
    });
    await server.close();
    await pending;
    expect(closes).toContain(1012);
    await expect(fetch(`${server.url}/api/health`)).rejects.toThrow();
    await client.dispose();
  });
});

describe('start-up checks', () => {
  it('names an unreachable Redis in one line with how to start it', async () => {
    const config = testConfig({ REDIS_URL: 'redis://127.0.0.1:1' });
    const error = await checkRedis(config.redisUrl!).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect((error as Error).message).toMatch(/^Redis is not reachable at 127\.0\.0\.1:1 .*redis-server .*REDIS_URL\)\.$/);
    expect((error as Error).message).not.toContain('\n');
  });

  it('names an unreachable PostgreSQL in one line with how to start it', async () => {
    const error = await ensureDatabase('postgresql://postgres@127.0.0.1:1/verso').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseUnreachableError);
    expect((error as Error).message).toMatch(/^PostgreSQL is not reachable at 127\.0\.0\.1:1\/postgres .*pg_ctlcluster/);
    expect((error as Error).message).not.toContain('\n');
  });

  it('`npm start` with a wrong REDIS_URL exits 1 printing exactly one line, no stack trace', async () => {
    const config = testConfig();
    const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
      env: { ...process.env, DATABASE_URL: config.databaseUrl!, REDIS_URL: 'redis://127.0.0.1:1', PORT: '0', LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^verso: Redis is not reachable at 127\.0\.0\.1:1 /);
  });
});
