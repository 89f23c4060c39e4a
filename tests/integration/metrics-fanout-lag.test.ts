/**
 * Fan-out lag is counted once per op per instance (issue 15): however many subscribers follow a
 * document, and whether they follow the batch stream or the per-op stream, one op is one sample
 * of `verso_fanout_lag_seconds` (it was one per per-op subscriber plus one per batch flush).
 */
import type { Client } from 'graphql-ws';
import { afterAll, describe, expect, it } from 'vitest';
import { bearer, createToken, signUp } from '../support/auth.ts';
import { gqlHttp, wsClient } from '../support/graphql-client.ts';
import { startTestServer } from '../support/server.ts';
import { waitUntil } from '../support/collab-broadcaster-contract.ts';

const clients: Client[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
});

const BATCHES = 'subscription($d: ID!) { documentOperationBatches(documentId: $d, fromVersion: 0) { operations { version } } }';
const OPS = 'subscription($d: ID!) { documentOperations(documentId: $d, fromVersion: 0) { version } }';

describe('verso_fanout_lag_seconds', () => {
  it('counts one sample per op on an instance with two batch subscribers and one per-op subscriber', async () => {
    const server = await startTestServer();
    const owner = await signUp(server);
    const { token } = await createToken(server, owner.cookie);
    const auth = { authorization: bearer(token) };
    const created = await gqlHttp<{ createDocument: { id: string } }>(server.url, 'mutation { createDocument(title: "Lag") { id } }', {}, auth);
    const documentId = created.body.data!.createDocument.id;

    const seen: number[][] = [[], [], []];
    const follow = (query: string, record: (data: unknown) => number[], into: number[]) => {
      const client = wsClient(server.url, { connectionParams: auth });
      clients.push(client);
      client.subscribe<Record<string, unknown>>({ query, variables: { d: documentId } }, {
        next: (r) => void (r.data ? into.push(...record(r.data)) : undefined),
        error: () => {},
        complete: () => {},
      });
    };
    const batchVersions = (data: unknown) => (data as { documentOperationBatches: { operations: Array<{ version: number }> } }).documentOperationBatches.operations.map((o) => o.version);
    follow(BATCHES, batchVersions, seen[0]!);
    follow(BATCHES, batchVersions, seen[1]!);
    follow(OPS, (data) => [(data as { documentOperations: { version: number } }).documentOperations.version], seen[2]!);

    const submit = (clientSeq: number, baseVersion: number) =>
      gqlHttp(
        server.url,
        'mutation($input: SubmitOperationInput!) { submitOperation(input: $input) { version } }',
        { input: { documentId, baseVersion, clientId: 'lag', clientSeq, delta: { ops: [{ insert: 'x' }] } } },
        auth,
      );
    const lagCount = async () => {
      const text = await (await fetch(`${server.url}/api/metrics`)).text();
      return Number(/^verso_fanout_lag_seconds_count (\S+)$/m.exec(text)?.[1] ?? Number.NaN);
    };
    // The first op proves every subscriber is live (each has received it).
    await submit(1, 0);
    await waitUntil(() => seen.every((s) => s.includes(1)), 'version 1 at every subscriber', 20_000);
    const before = await lagCount();
    await submit(2, 1);
    await waitUntil(() => seen.every((s) => s.includes(2)), 'version 2 at every subscriber', 20_000);
    expect((await lagCount()) - before).toBe(1);
  }, 120_000);
});
