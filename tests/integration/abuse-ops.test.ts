/**
 * Issue 14's abuse suite, hostile submissions: malformed and oversized ops, bad clientIds and
 * clientSeqs, squatting another user's keys, over HTTP and graphql-ws. Each runs while honest
 * editors type into the same document (tests/support/abuse-harness.ts): a clear error code for
 * the attacker, nothing stored for him, and the others' ops acknowledged within the bound.
 */
import { describe, expect, it } from 'vitest';
import { abuseWorld, attackedDocument, firstError, httpAs, SUBMIT, underAttack, wsAs, wsResult, type AbuseWorld } from '../support/abuse-harness.ts';
import { wsQuery, type GraphQLResult } from '../support/graphql-client.ts';

const world: AbuseWorld = abuseWorld();

/** Submits `input` as the attacker over HTTP and over one graphql-ws connection; both answers. */
async function overBoth(input: Record<string, unknown>): Promise<Array<{ transport: string; code: unknown; message: string; status?: number }>> {
  const http = await httpAs(world, world.attacker, SUBMIT, { input });
  const ws = wsAs(world, world.attacker);
  try {
    const overWs = await wsResult(ws, SUBMIT, { input });
    return [
      { transport: 'http', ...firstError(http.body), status: http.response.status },
      { transport: 'ws', ...firstError(overWs) },
    ];
  } finally {
    await ws.dispose();
  }
}

const base = (documentId: string) => ({ documentId, baseVersion: 0, clientId: 'attacker-1', clientSeq: 1 });

describe('abuse: malformed and oversized ops', () => {
  it('malformed deltas (not an object, ops not a list, unknown or negative components, past the end) are BAD_USER_INPUT on both transports; nothing stored', async () => {
    const documentId = await attackedDocument(world);
    const deltas: unknown[] = [
      'insert hello',
      { ops: 'x' },
      { ops: [{ insert: 5 }] },
      { ops: [{ frobnicate: 1 }] },
      { ops: [{ delete: -3 }] },
      { ops: [{ retain: 1e9 }, { insert: 'x' }] },
      { ops: [{ insert: 'x', attributes: { bold: { nested: ['deep'] } } }] },
      { ops: [{ insert: { image: 'javascript:alert(1)' } }] },
      null,
    ];
    await underAttack(world, documentId, 'malformed deltas', async () => {
      for (const delta of deltas) {
        for (const answer of await overBoth({ ...base(documentId), delta })) {
          expect(answer.code, `${answer.transport} ${JSON.stringify(delta)}`).toBe('BAD_USER_INPUT');
          expect(answer.message.length).toBeGreaterThan(10);
        }
      }
    });
  });

  it('a request that is not GraphQL (invalid JSON, a syntax error, a missing input) gets a parse or validation code on both transports', async () => {
    const documentId = await attackedDocument(world);
    await underAttack(world, documentId, 'malformed requests', async () => {
      const notJson = await fetch(`${world.server.url}/api/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${world.attacker.token}` }, body: '{"query": "mutation {' });
      expect(notJson.status).toBe(400);
      expect(((await notJson.json()) as GraphQLResult).errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
      const ws = wsAs(world, world.attacker);
      try {
        for (const query of ['mutation { submitOperation(input: ', 'mutation { submitOperation { version } }']) {
          const http = firstError((await httpAs(world, world.attacker, query)).body);
          const overWs = firstError(await wsResult(ws, query));
          for (const answer of [http, overWs]) expect(answer.code, query).toMatch(/^GRAPHQL_(PARSE|VALIDATION)_FAILED$/);
        }
      } finally {
        await ws.dispose();
      }
    });
  });

  it('oversized ops (10,001 components; 1,000,001 inserted characters) are PAYLOAD_TOO_LARGE on both transports, and the connection stays usable', async () => {
    const documentId = await attackedDocument(world);
    const manyComponents = { ops: Array.from({ length: 10_001 }, (_, i) => ({ insert: 'a', ...(i % 2 ? { attributes: { bold: true } } : {}) })) };
    const longInsert = { ops: [{ insert: 'x'.repeat(1_000_001) }] };
    await underAttack(world, documentId, 'oversized ops', async () => {
      for (const delta of [manyComponents, longInsert]) {
        for (const answer of await overBoth({ ...base(documentId), delta })) {
          expect(answer.code, `${answer.transport} ${JSON.stringify(delta).length} bytes`).toBe('PAYLOAD_TOO_LARGE');
          expect(answer.message).toMatch(/at most|larger than|more than|split/i);
        }
      }
      // The WebSocket was not closed for the oversized message: the same connection goes on.
      const ws = wsAs(world, world.attacker);
      try {
        expect(firstError(await wsQuery(ws, SUBMIT, { input: { ...base(documentId), delta: longInsert } })).code).toBe('PAYLOAD_TOO_LARGE');
        expect((await wsQuery<{ me: { id: string } }>(ws, '{ me { id } }')).data?.me.id).toBe(world.attacker.userId);
      } finally {
        await ws.dispose();
      }
    });
  });
});

describe('abuse: keys', () => {
  it('[S11] clientIds with NUL, emoji or 10,000 characters are BAD_USER_INPUT on both transports while others type; nothing stored', async () => {
    const documentId = await attackedDocument(world);
    await underAttack(world, documentId, 'bad clientIds', async () => {
      for (const clientId of ['nul\u0000id', '😀😀😀', 'x'.repeat(10_000), '']) {
        for (const answer of await overBoth({ ...base(documentId), clientId, delta: { ops: [{ insert: 'x' }] } })) {
          expect(answer.code, `${answer.transport} ${JSON.stringify(clientId.slice(0, 12))}`).toBe('BAD_USER_INPUT');
          expect(answer.message).toContain('clientId');
        }
      }
    });
  });

  it('clientSeq 0, negative, 2^31, 2^53 and 1.5 are BAD_USER_INPUT on both transports (over graphql-ws too, where a variable past Int used to answer without a code); nothing stored', async () => {
    const documentId = await attackedDocument(world);
    await underAttack(world, documentId, 'bad clientSeqs', async () => {
      for (const clientSeq of [0, -1, 2 ** 31, 2 ** 53, 1.5]) {
        for (const answer of await overBoth({ ...base(documentId), clientSeq, delta: { ops: [{ insert: 'x' }] } })) {
          expect(answer.code, `${answer.transport} clientSeq ${clientSeq}`).toBe('BAD_USER_INPUT');
          expect(answer.message).toContain('clientSeq');
        }
      }
    });
  });

  it('[P10][PL7] squatting the honest editors\' next (clientId, clientSeq), read off the op log, is refused on both transports; their ops are stored as theirs', async () => {
    const documentId = await attackedDocument(world);
    const squats = await underAttack(
      world,
      documentId,
      'key squatting',
      async () => {
        let refused = 0;
        const ws = wsAs(world, world.attacker);
        const read = 'query($id: ID!, $from: Int!) { document(id: $id) { operations(fromVersion: $from, first: 100) { version clientId clientSeq } } }';
        try {
          for (let round = 0; round < 15; round += 1) {
            const head = await httpAs<{ document: { version: number } }>(world, world.attacker, 'query($id: ID!) { document(id: $id) { version } }', { id: documentId });
            const from = Math.max(0, head.body.data!.document.version - 50);
            const { body } = await httpAs<{ document: { operations: Array<{ version: number; clientId: string; clientSeq: number }> } }>(world, world.attacker, read, { id: documentId, from });
            const newest = new Map<string, { version: number; clientSeq: number }>();
            for (const op of body.data!.document.operations) newest.set(op.clientId, op);
            const squatInputs = [...newest].flatMap(([clientId, op]) =>
              [1, 2, 3].map((ahead) => ({ documentId, baseVersion: op.version, clientId, clientSeq: op.clientSeq + ahead, delta: { ops: [{ insert: 'SQUAT ' }] } })),
            );
            const answers = await Promise.all(
              squatInputs.flatMap((input) => [httpAs(world, world.attacker, SUBMIT, { input }).then((r) => r.body), wsQuery(ws, SUBMIT, { input })]),
            );
            for (const answer of answers) {
              expect(firstError(answer)).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/already used by another user/) });
              refused += 1;
            }
          }
        } finally {
          await ws.dispose();
        }
        return refused;
      },
      { pauseMs: 30 },
    );
    expect(squats).toBeGreaterThan(30);
  });
});
