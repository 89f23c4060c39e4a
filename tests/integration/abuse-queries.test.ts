/**
 * Issue 14's abuse suite, hostile requests: depth, alias, field, directive and token bombs,
 * fragment cycles and fan-outs, batched HTTP requests, and one connection subscribing to 1,000
 * documents, over HTTP and graphql-ws, while honest editors type into a document
 * (tests/support/abuse-harness.ts). Each bomb is refused with a clear code in well under a
 * second: the size bounds run before graphql-js's standard rules (graphql/validation.ts).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ensurePersonalOrganization } from '../../lib/auth/organizations.ts';
import { abuseWorld, attackedDocument, firstError, httpAs, SUBMIT, underAttack, wsAs, wsResult, type AbuseWorld } from '../support/abuse-harness.ts';
import { bearer } from '../support/auth.ts';
import { openRawSocket } from '../support/abuse-raw-socket.ts';
import { waitUntil } from '../support/collab-bots.ts';
import { testPrisma } from '../support/prisma.ts';

const world: AbuseWorld = abuseWorld();

/** Longest a refused bomb may take to be answered (it used to hold the event loop for seconds). */
const ANSWER_BOUND_MS = 500;

const repeat = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join(' ');

/** Sends `query` as the attacker over HTTP and over graphql-ws; both answers with how long each took. */
async function bombBoth(query: string) {
  const ws = wsAs(world, world.attacker);
  try {
    // Connect first, so the WebSocket's time is the answer's alone.
    await wsResult(ws, '{ me { id } }');
    let started = performance.now();
    const http = await httpAs(world, world.attacker, query);
    const httpMs = performance.now() - started;
    started = performance.now();
    const overWs = await wsResult(ws, query);
    const wsMs = performance.now() - started;
    return [
      { transport: 'http', ms: httpMs, data: http.body.data, ...firstError(http.body) },
      { transport: 'ws', ms: wsMs, data: overWs.data, ...firstError(overWs) },
    ];
  } finally {
    await ws.dispose();
  }
}

const bombs: ReadonlyArray<{ name: string; query: string; code: string; message: RegExp }> = [
  { name: 'depth bomb (50 levels)', query: `{ ${'me { '.repeat(50)} id ${'} '.repeat(50)} }`, code: 'BAD_USER_INPUT', message: /nested too deeply/ },
  { name: 'nesting bomb (4,000 levels)', query: `{ ${'me { '.repeat(4000)} id ${'} '.repeat(4000)} }`, code: 'BAD_USER_INPUT', message: /nests brackets more than/ },
  { name: 'alias bomb (40)', query: `{ ${repeat(40, (i) => `a${i}: me { id }`)} }`, code: 'BAD_USER_INPUT', message: /Too many aliases/ },
  { name: 'alias bomb (1,500)', query: `{ ${repeat(1500, (i) => `a${i}: me { id }`)} }`, code: 'BAD_USER_INPUT', message: /fields, fragments and directives/ },
  { name: 'repeated-field bomb (2,400)', query: `{ ${'me { id } '.repeat(2400)} }`, code: 'BAD_USER_INPUT', message: /fields, fragments and directives/ },
  { name: 'directive bomb (1,200)', query: `{ me ${'@skip(if: false) '.repeat(1200)} { id } }`, code: 'BAD_USER_INPUT', message: /fields, fragments and directives/ },
  { name: 'token bomb (30,000)', query: `{ me { id } } ${'# padding\n'.repeat(10)} query Q(${repeat(6000, (i) => `$v${i}: Int`)}) { me { id } }`, code: 'GRAPHQL_PARSE_FAILED', message: /more than 10000 tokens/ },
  { name: 'fragment cycle', query: '{ me { ...A } } fragment A on User { id ...B } fragment B on User { name ...A }', code: 'GRAPHQL_VALIDATION_FAILED', message: /Cannot spread fragment/ },
];

describe('abuse: query bombs', () => {
  for (const bomb of bombs) {
    it(`${bomb.name} is refused with ${bomb.code} on both transports within ${ANSWER_BOUND_MS} ms`, async () => {
      const documentId = await attackedDocument(world);
      await underAttack(world, documentId, bomb.name, async () => {
        for (const answer of await bombBoth(bomb.query)) {
          expect(answer.code, answer.transport).toBe(bomb.code);
          expect(answer.message, answer.transport).toMatch(bomb.message);
          expect(answer.ms, `${answer.transport} answer time (ms)`).toBeLessThan(ANSWER_BOUND_MS);
        }
      });
    });
  }

  it('a fragment fan-out (30 fragments, each spreading the next twice: 2^30 paths) is answered at once on both transports', async () => {
    const documentId = await attackedDocument(world);
    const query = `{ me { ...F0 } } ${repeat(30, (i) => `fragment F${i} on User { id ${i + 1 < 30 ? `...F${i + 1} ...F${i + 1}` : ''} }`)}`;
    await underAttack(world, documentId, 'fragment fan-out', async () => {
      for (const answer of await bombBoth(query)) {
        expect(answer.code, answer.transport).toBeUndefined();
        expect(answer.data, answer.transport).toEqual({ me: { id: world.attacker.userId } });
        expect(answer.ms, `${answer.transport} answer time (ms)`).toBeLessThan(ANSWER_BOUND_MS);
      }
    });
  });

  it('a batched HTTP request of 1,000 operations is refused as a whole (batching is off), nothing runs', async () => {
    const documentId = await attackedDocument(world);
    await underAttack(world, documentId, 'batched HTTP request', async () => {
      const batch = Array.from({ length: 1000 }, (_, i) => ({ query: `mutation { createDocument(title: "batch ${i}") { id } }` }));
      const response = await fetch(`${world.server.url}/api/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: bearer(world.attacker.token) },
        body: JSON.stringify(batch),
      });
      expect(response.status).toBe(400);
      expect(await response.text()).toMatch(/batching/i);
    });
    expect(await testPrisma().document.count({ where: { title: { startsWith: 'batch ' }, createdById: world.attacker.userId } })).toBe(0);
  });
});

describe('abuse: subscriptions', () => {
  it('one connection subscribing to 1,000 documents: the first WS_MAX_SUBSCRIPTIONS run, the rest are LIMIT_EXCEEDED, the connection stays open and its streams live', async () => {
    const documentId = await attackedDocument(world);
    const prisma = testPrisma();
    const organizationId = await ensurePersonalOrganization(prisma, world.attacker.userId);
    const created = Array.from({ length: 999 }, () => `abuse-${randomUUID()}`);
    await prisma.document.createMany({ data: created.map((id) => ({ id, organizationId, title: 'Subscribed', createdById: world.attacker.userId })) });
    await prisma.documentMember.createMany({ data: created.map((id) => ({ documentId: id, userId: world.attacker.userId, role: 'OWNER' as const })) });
    // The attacked document first: the honest editors' ops show that the accepted streams are live.
    const ids = [documentId, ...created];
    const limit = world.server.services.config.wsMaxSubscriptions;
    const socket = await openRawSocket(world.server.url, bearer(world.attacker.token));
    try {
      const subscribe = (id: string) => ({ id, type: 'subscribe', payload: { query: 'subscription($id: ID!) { documentOperations(documentId: $id, fromVersion: 0) { version } }', variables: { id } } });
      await underAttack(world, documentId, 'subscribe to 1,000 documents', async () => {
        socket.burst(ids.map(subscribe));
        await waitUntil(() => socket.errors.size >= ids.length - limit, 'the refusals', 10_000);
      });
      expect(new Set(socket.errors.values())).toEqual(new Set(['LIMIT_EXCEEDED']));
      expect(socket.errors.size).toBe(ids.length - limit);
      expect(socket.closed).toBeNull();
      // The accepted streams are live: the honest editors' ops reached the attacked document's.
      expect(socket.errors.has(documentId)).toBe(false);
      await waitUntil(() => socket.results.has(documentId), 'the honest ops on the subscribed document', 5000);
    } finally {
      await socket.close();
    }
  });
});
