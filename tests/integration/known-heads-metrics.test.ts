/** The known heads' size is exposed (K4, issue 14 item 7): `verso_known_heads_bytes` and `verso_known_heads_entries` on /api/metrics follow the sequencer's cache. */
import { describe, expect, it } from 'vitest';
import { bearer, createToken, signUp } from '../support/auth.ts';
import { gqlHttp } from '../support/graphql-client.ts';
import { startTestServer } from '../support/server.ts';

const gauge = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);

describe('known heads metrics [K4]', () => {
  it('[K4] /api/metrics reports the known heads\' estimated bytes and entries, growing with a written document and its text', async () => {
    const server = await startTestServer();
    const owner = await signUp(server);
    const token = (await createToken(server, owner.cookie)).token;
    const scrape = async () => (await (await fetch(`${server.url}/api/metrics`)).text());
    const before = await scrape();
    expect(gauge(before, 'verso_known_heads_entries')).toBe(0);
    const created = await gqlHttp<{ createDocument: { id: string } }>(server.url, 'mutation { createDocument(title: "Metrics") { id } }', {}, { cookie: owner.cookie });
    const documentId = created.body.data!.createDocument.id;
    const submitted = await gqlHttp(
      server.url,
      'mutation($i: SubmitOperationInput!) { submitOperation(input: $i) { version } }',
      { i: { documentId, baseVersion: 0, clientId: 'metrics', clientSeq: 1, delta: { ops: [{ insert: 'm'.repeat(100_000) }] } } },
      { authorization: bearer(token) },
    );
    expect(submitted.body).toEqual({ data: { submitOperation: { version: 1 } } });
    const after = await scrape();
    expect(gauge(after, 'verso_known_heads_entries')).toBe(1);
    // The content and the tail's op each hold the 100,000 characters (2 bytes each, estimated).
    expect(gauge(after, 'verso_known_heads_bytes')).toBeGreaterThan(400_000);
    await server.close();
  });
});
