/**
 * Sequenced operations end to end (issue 5): real servers on port 0, real PostgreSQL and Redis,
 * clients driving the collab state machine over graphql-ws.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { replay } from '../../lib/collab/document-loader.ts';
import type { PrismaClient } from '../../lib/db/prisma.ts';
import { Delta } from '../../lib/ot/operation.ts';
import { seededRandom } from '../../lib/ot/random-op.ts';
import type { VersoServer } from '../../lib/server/http-server.ts';
import { bearer, createToken, signUp, type TestAccount } from '../support/auth.ts';
import { openBot, settled, typeRandomly, waitUntil, type Bot } from '../support/collab-bots.ts';
import { gqlHttp, wsClient } from '../support/graphql-client.ts';
import { testPrisma } from '../support/prisma.ts';
import { killRedisClient } from '../support/redis.ts';
import { startTestServer } from '../support/server.ts';

let a: VersoServer;
let b: VersoServer;
let owner: TestAccount;
let token: string;
const prisma: PrismaClient = testPrisma();

beforeAll(async () => {
  [a, b] = await Promise.all([startTestServer(), startTestServer()]);
  owner = await signUp(a);
  token = (await createToken(a, owner.cookie)).token;
});

const auth = () => ({ authorization: bearer(token) });

async function createDocument(text = 'Hello\n'): Promise<string> {
  const { body } = await gqlHttp<{ createDocument: { id: string } }>(
    a.url,
    'mutation($content: JSON) { createDocument(title: "E2E", content: $content) { id } }',
    { content: { ops: [{ insert: text }] } },
    auth(),
  );
  if (!body.data) throw new Error(JSON.stringify(body.errors));
  return body.data.createDocument.id;
}

async function headVersion(documentId: string): Promise<number> {
  const row = await prisma.document.findUniqueOrThrow({ where: { id: documentId }, select: { version: true } });
  return row.version;
}

/** The stored op log and the content it replays to, checked for gaps and doubles. */
async function checkLog(documentId: string) {
  const ops = await prisma.operation.findMany({ where: { documentId }, orderBy: { version: 'asc' } });
  const versions = ops.map((o) => o.version);
  expect(versions).toEqual(Array.from({ length: ops.length }, (_, i) => i + 1));
  const keys = new Set(ops.map((o) => `${o.clientId}#${o.clientSeq}`));
  expect(keys.size).toBe(ops.length);
  const zero = await prisma.snapshot.findUniqueOrThrow({ where: { documentId_version: { documentId, version: 0 } } });
  const replayed = replay(
    { documentId, version: 0, content: new Delta((zero.content as { ops: Delta['ops'] }).ops), createdAt: zero.createdAt },
    ops.map((o) => ({ ...o, delta: new Delta((o.delta as { ops: Delta['ops'] }).ops) })),
  );
  return { ops, content: replayed.content };
}

async function serverContent(documentId: string): Promise<Delta['ops']> {
  const { body } = await gqlHttp<{ document: { content: { ops: Delta['ops'] } } }>(a.url, 'query($id: ID!) { document(id: $id) { content } }', { id: documentId }, auth());
  return body.data!.document.content.ops;
}

/** Every bot types `edits` random edits with random pauses; returns when all are sent. */
async function typeConcurrently(bots: readonly Bot[], edits: number, seed: number, between: (i: number) => Promise<void> = async () => {}) {
  await Promise.all(
    bots.map(async (bot, n) => {
      const random = seededRandom(seed * 1000 + n);
      for (let i = 0; i < edits; i++) {
        typeRandomly(bot, random);
        await new Promise((resolve) => setTimeout(resolve, random() * 25));
        if (n === 0) await between(i);
      }
    }),
  );
}

/** Every clientSeq a bot issued is stored exactly once: nothing lost, nothing doubled. */
function expectEveryIssuedOpStoredOnce(bots: readonly Bot[], ops: ReadonlyArray<{ clientId: string; clientSeq: number }>) {
  for (const bot of bots) {
    const stored = ops.filter((o) => o.clientId === bot.session.clientId).map((o) => o.clientSeq).sort((x, y) => x - y);
    expect(stored).toEqual(Array.from({ length: bot.session.issuedOps }, (_, i) => i + 1));
  }
}

describe('sequenced operations end to end', () => {
  /**
   * `count` bots, alternately on a and b, type `edits` each into `documentId`; once settled the log
   * is gapless with each op once, and every bot holds its replay. Answers the log.
   */
  async function typeOnBothInstances(name: string, count: number, documentId: string, edits: number, seed: number) {
    const bots = await Promise.all(Array.from({ length: count }, (_, i) => openBot(`${name}${i}`, [i % 2 === 0 ? a.url : b.url], token, documentId)));
    try {
      await typeConcurrently(bots, edits, seed);
      const head = await settled(bots, () => headVersion(documentId));
      const log = await checkLog(documentId);
      expect(log.ops.length).toBe(head);
      for (const bot of bots) expect(bot.session.document.ops).toEqual(log.content.ops);
      return log;
    } finally {
      await Promise.all(bots.map((bot) => bot.close()));
    }
  }

  it('20 clients on two instances type concurrently against stale versions: all converge, versions gapless, each op once, content = replay', async () => {
    const documentId = await createDocument();
    const { ops, content } = await typeOnBothInstances('bot', 20, documentId, 12, 1);
    expect(await serverContent(documentId)).toEqual(content.ops);
    // Concurrency really happened: some ops were made against a version others had passed.
    expect(ops.some((o) => o.clientId !== ops[o.version - 2]?.clientId)).toBe(true);
  });

  /** This instance's `verso_writer_routes_total` by route. */
  async function routeCounts(server: VersoServer): Promise<Record<string, number>> {
    const { values } = await server.services.metrics.writerRoutes.get();
    return Object.fromEntries(values.map((v) => [String(v.labels.route), v.value]));
  }

  it('[W1] clients on both instances typing into one document: one instance sequences it, the other forwards its clients\' submissions to it, and all converge', async () => {
    const documentId = await createDocument();
    const before = await Promise.all([routeCounts(a), routeCounts(b)]);
    await typeOnBothInstances('routed', 4, documentId, 8, 7);
    const after = await Promise.all([routeCounts(a), routeCounts(b)]);
    const grew = (k: number, route: string) => (after[k]![route] ?? 0) - (before[k]![route] ?? 0);
    const writer = grew(0, 'served') > 0 ? 0 : 1;
    expect(grew(writer, 'local')).toBeGreaterThan(0);
    expect(grew(writer, 'served')).toBeGreaterThan(0);
    expect(grew(1 - writer, 'forwarded')).toBeGreaterThan(0);
    expect(grew(1 - writer, 'served')).toBe(0);
  });

  it('a resubmitted acknowledged op answers duplicate with the same version; a base past head is VERSION_AHEAD', async () => {
    const documentId = await createDocument();
    const submit = (baseVersion: number, clientSeq: number) =>
      gqlHttp<{ submitOperation: { version: number; duplicate: boolean; delta: unknown } }>(
        b.url,
        'mutation($input: SubmitOperationInput!) { submitOperation(input: $input) { version duplicate delta } }',
        { input: { documentId, baseVersion, clientId: 'resubmitter', clientSeq, delta: { ops: [{ insert: 'x' }] } } },
        auth(),
      );
    const first = await submit(0, 1);
    expect(first.body.data?.submitOperation).toEqual({ version: 1, duplicate: false, delta: { ops: [{ insert: 'x' }] } });
    const again = await submit(0, 1);
    expect(again.body.data?.submitOperation).toEqual({ version: 1, duplicate: true, delta: { ops: [{ insert: 'x' }] } });
    const ahead = await submit(5, 2);
    expect(ahead.body.errors?.[0]?.extensions?.code).toBe('VERSION_AHEAD');
    expect(ahead.body.errors?.[0]?.message).toMatch(/reload/);
    expect(await headVersion(documentId)).toBe(1);
  });

  it('a subscription from version 0 on a document with 1,000 ops delivers exactly 1..1000, then the live ones', async () => {
    const documentId = await createDocument('\n');
    const { sequencer } = a.services.collab;
    for (let v = 1; v <= 1000; v++) {
      const result = await sequencer.submit({ documentId, baseVersion: v - 1, clientId: 'loader', clientSeq: v, delta: new Delta().insert(`${v % 10}`), authorId: owner.userId });
      expect(result.kind).toBe('applied');
    }
    const client = wsClient(b.url, { connectionParams: { authorization: bearer(token) } });
    const received: number[] = [];
    const stop = client.subscribe<{ documentOperations: { version: number } }>(
      { query: 'subscription($id: ID!) { documentOperations(documentId: $id, fromVersion: 0) { version } }', variables: { id: documentId } },
      { next: (r) => void (r.data && received.push(r.data.documentOperations.version)), error: () => {}, complete: () => {} },
    );
    try {
      await waitUntil(() => received.length >= 1000, '1,000 stored ops', 20_000);
      for (let v = 1001; v <= 1005; v++) {
        await sequencer.submit({ documentId, baseVersion: v - 1, clientId: 'loader', clientSeq: v, delta: new Delta().insert('L'), authorId: owner.userId });
      }
      await waitUntil(() => received.length >= 1005, 'the live ops', 10_000);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(received).toEqual(Array.from({ length: 1005 }, (_, i) => i + 1));
    } finally {
      stop();
      await client.dispose();
    }
  });

  it("an instance's Redis subscriber connection killed mid-stream: its subscribers still get every op exactly once", async () => {
    const documentId = await createDocument();
    const writers = await Promise.all(Array.from({ length: 4 }, (_, i) => openBot(`writer${i}`, [a.url], token, documentId)));
    const readers = await Promise.all(Array.from({ length: 3 }, (_, i) => openBot(`reader${i}`, [b.url], token, documentId)));
    const raw = wsClient(b.url, { connectionParams: { authorization: bearer(token) } });
    const received: number[] = [];
    const stop = raw.subscribe<{ documentOperations: { version: number } }>(
      { query: 'subscription($id: ID!) { documentOperations(documentId: $id, fromVersion: 0) { version } }', variables: { id: documentId } },
      { next: (r) => void (r.data && received.push(r.data.documentOperations.version)), error: () => {}, complete: () => {} },
    );
    try {
      let killed = 0;
      await typeConcurrently(writers, 20, 2, async (i) => {
        if (i === 8) killed = await killRedisClient(b.services.pubsub.subscriberName);
      });
      expect(killed).toBe(1);
      const head = await settled([...writers, ...readers], () => headVersion(documentId));
      await waitUntil(() => received.length >= head, 'the raw subscriber to catch up', 10_000);
      expect(received).toEqual(Array.from({ length: head }, (_, i) => i + 1));
      const { content } = await checkLog(documentId);
      for (const bot of [...writers, ...readers]) expect(bot.session.document.ops).toEqual(content.ops);
    } finally {
      stop();
      await raw.dispose();
      await Promise.all([...writers, ...readers].map((bot) => bot.close()));
    }
  });

  it('an instance stopped mid-typing: its clients reconnect to the other, resend in-flight ops, and converge with nothing lost or doubled', async () => {
    const doomed = await startTestServer();
    const documentId = await createDocument();
    const bots = await Promise.all(
      Array.from({ length: 8 }, (_, i) => openBot(`failover${i}`, i % 2 === 0 ? [doomed.url, b.url] : [b.url], token, documentId)),
    );
    try {
      await typeConcurrently(bots, 15, 3, async (i) => {
        if (i === 5) void doomed.close();
      });
      const head = await settled(bots, () => headVersion(documentId));
      const { ops, content } = await checkLog(documentId);
      expect(ops.length).toBe(head);
      for (const bot of bots) expect(bot.session.document.ops).toEqual(content.ops);
      expectEveryIssuedOpStoredOnce(bots, ops);
    } finally {
      await Promise.all(bots.map((bot) => bot.close()));
    }
  });
});
