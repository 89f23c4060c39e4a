/**
 * Redis unreachable (issue 14): every instance keeps acknowledging submissions and starting
 * subscriptions from PostgreSQL, `/api/ready` says it is degraded, nothing waits more than 5 s
 * on Redis, and when Redis is back every live stream catches up on what it missed. Redis is
 * really taken away: both instances reach it through a TCP proxy that the test cuts.
 */
import type { Client } from 'graphql-ws';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { VersoServer } from '../../lib/server/http-server.ts';
import { bearer, createToken, eventually, signUp } from '../support/auth.ts';
import { gqlHttp, wsClient } from '../support/graphql-client.ts';
import { startTestServer } from '../support/server.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';

const REDIS_WAIT_BUDGET_MS = 5_000;

async function setup() {
  const real = new URL(inject('redisUrl'));
  const proxy = await startTcpProxy({ host: real.hostname, port: Number(real.port || 6379) });
  const viaProxy = new URL(real.href);
  viaProxy.host = `127.0.0.1:${proxy.port}`;
  const env = { REDIS_URL: viaProxy.href };
  const [a, b] = await Promise.all([startTestServer({ env }), startTestServer({ env })]);
  const owner = await signUp(a);
  const token = (await createToken(a, owner.cookie)).token;
  return { proxy, a, b, owner, token };
}

async function createDocument(server: VersoServer, cookie: string): Promise<string> {
  const created = await gqlHttp<{ createDocument: { id: string } }>(server.url, 'mutation { createDocument(title: "Outage") { id } }', {}, { cookie });
  return created.body.data!.createDocument.id;
}

/** Submits one insert over `client`; resolves with the version or the error code, and how long it took. */
function submit(client: Client, documentId: string, baseVersion: number, clientId: string, clientSeq: number) {
  const started = Date.now();
  return new Promise<{ version?: number; code?: string; ms: number }>((resolve, reject) => {
    let answer: { version?: number; code?: string } = {};
    client.subscribe<{ submitOperation: { version: number } }>(
      {
        query: 'mutation($i: SubmitOperationInput!) { submitOperation(input: $i) { version } }',
        variables: { i: { documentId, baseVersion, clientId, clientSeq, delta: { ops: [{ insert: `${clientId}${clientSeq} ` }] } } },
      },
      {
        next: (r) => (answer = r.data?.submitOperation ? { version: r.data.submitOperation.version } : { code: String(r.errors?.[0]?.extensions?.code) }),
        error: reject,
        complete: () => resolve({ ...answer, ms: Date.now() - started }),
      },
    );
  });
}

/** Follows `documentOperationBatches` from `fromVersion`, collecting versions (and when the first arrived). */
function follow(client: Client, documentId: string, fromVersion = 0) {
  const versions: number[] = [];
  const errors: string[] = [];
  const started = Date.now();
  let firstAfterMs: number | null = null;
  const stop = client.subscribe<{ documentOperationBatches: { operations: Array<{ version: number }> } }>(
    { query: 'subscription($d: ID!, $f: Int!) { documentOperationBatches(documentId: $d, fromVersion: $f) { operations { version } } }', variables: { d: documentId, f: fromVersion } },
    {
      next: (r) => {
        if (r.errors) errors.push(String(r.errors[0]?.extensions?.code));
        for (const op of r.data?.documentOperationBatches.operations ?? []) {
          firstAfterMs ??= Date.now() - started;
          versions.push(op.version);
        }
      },
      error: (e) => errors.push(String((e as { code?: number }).code ?? e)),
      complete: () => {},
    },
  );
  return { versions, errors, stop, firstAfterMs: () => firstAfterMs };
}

async function ready(server: VersoServer) {
  const response = await fetch(`${server.url}/api/ready`);
  return { status: response.status, body: (await response.json()) as { status: string; postgres: boolean; redis: unknown } };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('Redis unreachable', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  beforeAll(async () => {
    env = await setup();
  });
  const clients: Client[] = [];
  const ws = (server: VersoServer) => {
    const client = wsClient(server.url, { connectionParams: { authorization: bearer(env.token) } });
    clients.push(client);
    return client;
  };

  async function outage(proxy: TcpProxy, mode: 'refuse' | 'blackhole') {
    const { a, b, owner } = env;
    const documentId = await createDocument(a, owner.cookie);
    // A reader on b that was following before the outage, and a writer on a.
    const before = follow(ws(b), documentId);
    const writer = ws(a);
    expect(await submit(writer, documentId, 0, 'w', 1)).toMatchObject({ version: 1 });
    await eventually(() => before.versions.length === 1);

    proxy.cut(mode);
    await eventually(async () => (await ready(a)).body.status === 'degraded', REDIS_WAIT_BUDGET_MS);
    expect(await ready(a)).toEqual({ status: 200, body: { status: 'degraded', postgres: true, redis: false } });

    // A new connection's first submission (its grant read, its access channel) and a new
    // subscription on the other instance: both go on from PostgreSQL, within the budget.
    const fresh = ws(a);
    const second = await submit(fresh, documentId, 1, 'f', 1);
    expect(second).toMatchObject({ version: 2 });
    expect(second.ms).toBeLessThan(REDIS_WAIT_BUDGET_MS);
    const during = follow(ws(b), documentId);
    await eventually(() => during.versions.length >= 2, REDIS_WAIT_BUDGET_MS);
    expect(during.versions).toEqual([1, 2]);
    const third = await submit(writer, documentId, 2, 'w', 2);
    expect(third).toMatchObject({ version: 3 });
    expect(third.ms).toBeLessThan(REDIS_WAIT_BUDGET_MS);
    // Over HTTP the op rate limit lives in Redis: it falls back to this instance's own buckets.
    const httpStarted = Date.now();
    const overHttp = await gqlHttp<{ submitOperation: { version: number } }>(
      a.url,
      'mutation($i: SubmitOperationInput!) { submitOperation(input: $i) { version } }',
      { i: { documentId, baseVersion: 3, clientId: 'h', clientSeq: 1, delta: { ops: [{ insert: 'http ' }] } } },
      { authorization: bearer(env.token) },
    );
    expect(overHttp.body).toEqual({ data: { submitOperation: { version: 4 } } });
    expect(Date.now() - httpStarted).toBeLessThan(REDIS_WAIT_BUDGET_MS);
    expect(before.errors).toEqual([]);

    // Redis is back: every stream fills the gap from PostgreSQL, in order, without repeats.
    proxy.restore();
    await eventually(() => before.versions.length >= 4 && during.versions.length >= 4, 15_000).catch((error: Error) => {
      throw new Error(`${error.message}: the reader from before had ${before.versions.join(',')}, the one from during ${during.versions.join(',')}`);
    });
    expect(before.versions).toEqual(range(1, 4));
    expect(during.versions).toEqual(range(1, 4));
    // Each instance probes Redis on its own schedule: wait for both, not for one and then the other at once.
    for (const instance of [a, b]) {
      await eventually(async () => (await ready(instance)).body.status === 'ready', 15_000);
      expect(await ready(instance)).toEqual({ status: 200, body: { status: 'ready', postgres: true, redis: true } });
    }

    // Live fan-out across instances works again.
    expect(await submit(fresh, documentId, 4, 'f', 2)).toMatchObject({ version: 5 });
    await eventually(() => before.versions.length === 5 && during.versions.length === 5);
    expect([before.versions, during.versions]).toEqual([range(1, 5), range(1, 5)]);
    before.stop();
    during.stop();
  }

  afterEach(() => Promise.all(clients.splice(0).map((c) => c.dispose())));

  it('refused connections: submissions and new subscriptions go on from PostgreSQL; /api/ready says degraded; catch-up fills every gap', () => outage(env.proxy, 'refuse'), 60_000);

  it('a silent partition (connections open, nothing answers): the same, and nothing waits more than 5 s', () => outage(env.proxy, 'blackhole'), 60_000);
});
