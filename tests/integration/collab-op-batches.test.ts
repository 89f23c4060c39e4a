/**
 * `documentOperationBatches` end to end (lib/collab/SPEC.md FB1–FB8): real servers on port 0,
 * real PostgreSQL and Redis. Clients (CollabSession, which follows the batch stream) on two
 * instances converge; raw subscribers see every version exactly once and in order; subscribers
 * of one instance get the same batches; losing access ends the stream.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import type { AppliedOp } from '../../lib/collab/types.ts';
import type { PrismaClient } from '../../lib/db/prisma.ts';
import { Delta } from '../../lib/ot/operation.ts';
import { seededRandom } from '../../lib/ot/random-op.ts';
import type { VersoServer } from '../../lib/server/http-server.ts';
import { bearer, createToken, signUp, type TestAccount } from '../support/auth.ts';
import { openBot, settled, typeRandomly, waitUntil, type Bot } from '../support/collab-bots.ts';
import { gqlHttp, wsClient } from '../support/graphql-client.ts';
import { testPrisma } from '../support/prisma.ts';
import { startTestServer } from '../support/server.ts';

let a: VersoServer;
let b: VersoServer;
let owner: TestAccount;
let token: string;
const prisma: PrismaClient = testPrisma();

beforeAll(async () => {
  // Both instances route the document to one writer (W1), which publishes in version order (S7),
  // so [FB4][FB6] below can compare subscribers' events with the batcher's raw flushes.
  [a, b] = await Promise.all([startTestServer(), startTestServer()]);
  owner = await signUp(a);
  token = (await createToken(a, owner.cookie)).token;
});

async function createDocument(text = 'Hello\n'): Promise<string> {
  const { body } = await gqlHttp<{ createDocument: { id: string } }>(
    a.url,
    'mutation($content: JSON) { createDocument(title: "Batches", content: $content) { id } }',
    { content: { ops: [{ insert: text }] } },
    { authorization: bearer(token) },
  );
  if (!body.data) throw new Error(JSON.stringify(body.errors));
  return body.data.createDocument.id;
}

const headVersion = async (documentId: string) =>
  (await prisma.document.findUniqueOrThrow({ where: { id: documentId }, select: { version: true } })).version;

const BATCHES = 'subscription($d: ID!, $from: Int!) { documentOperationBatches(documentId: $d, fromVersion: $from) { operations { version clientId clientSeq } } }';

interface BatchEvent {
  readonly versions: number[];
}

/** A raw subscriber of the batch stream on its own connection; records each event's versions. */
function follow(server: VersoServer, documentId: string, authToken = token, fromVersion = 0) {
  const client: Client = wsClient(server.url, { connectionParams: { authorization: bearer(authToken) } });
  const events: BatchEvent[] = [];
  const errors: string[] = [];
  let completed = false;
  client.subscribe<{ documentOperationBatches: { operations: Array<{ version: number }> } }>(
    { query: BATCHES, variables: { d: documentId, from: fromVersion } },
    {
      next: (r) => {
        for (const e of (r.errors ?? []) as ReadonlyArray<{ extensions?: { code?: unknown } }>) errors.push(String(e.extensions?.code));
        if (r.data) events.push({ versions: r.data.documentOperationBatches.operations.map((o) => o.version) });
      },
      error: () => {},
      complete: () => void (completed = true),
    },
  );
  return {
    client,
    events,
    errors,
    get completed() {
      return completed;
    },
    versions: () => events.flatMap((e) => e.versions),
  };
}

const range = (n: number, from = 1) => Array.from({ length: n }, (_, i) => i + from);

/** Submits `count` ops at once from different clients through `server`'s sequencer (a burst). */
async function burst(server: VersoServer, documentId: string, count: number, tag: string) {
  const base = await headVersion(documentId);
  const results = await Promise.all(
    range(count).map((i) =>
      server.services.collab.sequencer.submit({ documentId, baseVersion: base, clientId: `${tag}-${i}`, clientSeq: 1, delta: new Delta().insert(`${i % 10}`), authorId: owner.userId }),
    ),
  );
  for (const r of results) expect(r.kind).toBe('applied');
}

describe('documentOperationBatches end to end', () => {
  it('clients on two instances converge; every subscriber gets each version once, in order; bursts come batched, the same batches on one instance', async () => {
    const documentId = await createDocument();
    const bots = await Promise.all(range(8, 0).map((i) => openBot(`batch-bot${i}`, [i % 2 === 0 ? a.url : b.url], token, documentId)));
    const watchers = [follow(a, documentId), follow(b, documentId), follow(b, documentId)];
    // What instance b's batcher flushes, seen in-process (the arrays its subscribers were given).
    const flushedOnB: Array<readonly AppliedOp[]> = [];
    const stopTap = await b.services.collab.batcher.subscribe(documentId, (batch) => void flushedOnB.push(batch));
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      await Promise.all(
        bots.map(async (bot, n) => {
          const random = seededRandom(7000 + n);
          for (let i = 0; i < 10; i++) {
            typeRandomly(bot, random);
            await new Promise((resolve) => setTimeout(resolve, random() * 20));
          }
        }),
      );
      await settled(bots, () => headVersion(documentId));
      const beforeBurst = await headVersion(documentId);
      await waitUntil(() => watchers.every((w) => w.versions().length === beforeBurst), 'watchers to catch up', 10_000);
      const eventsBefore = watchers.map((w) => w.events.length);

      await burst(a, documentId, 40, 'burst-a');
      await burst(b, documentId, 40, 'burst-b');
      const head = await settled(bots, () => headVersion(documentId));
      expect(head).toBe(beforeBurst + 80);
      await waitUntil(() => watchers.every((w) => w.versions().length >= head), 'watchers to receive the bursts', 10_000);
      await new Promise((resolve) => setTimeout(resolve, 200)); // nothing more may come

      // [F1][FB5] every version exactly once, in order, for every subscriber.
      for (const w of watchers) {
        expect(w.versions()).toEqual(range(head));
        expect(w.events.every((e) => e.versions.length > 0)).toBe(true);
      }
      // Clients converge on the stored log.
      const content = bots[0]!.session.document.ops;
      for (const bot of bots) expect(bot.session.document.ops).toEqual(content);
      const { body } = await gqlHttp<{ document: { content: { ops: Delta['ops'] } } }>(b.url, 'query($id: ID!) { document(id: $id) { content } }', { id: documentId }, { authorization: bearer(token) });
      expect(body.data!.document.content.ops).toEqual(content);

      // [FB3] the 80 burst ops came in fewer events than ops.
      for (const [i, w] of watchers.entries()) {
        const burstEvents = w.events.slice(eventsBefore[i]);
        expect(burstEvents.length).toBeLessThan(80);
        expect(burstEvents.some((e) => e.versions.length > 1)).toBe(true);
      }
      // [FB4][FB6] both subscribers on b got the same batches, and they are the batcher's flushes.
      const [, b1, b2] = watchers;
      const partition = (events: BatchEvent[]) => events.filter((e) => e.versions[0]! > beforeBurst).map((e) => e.versions);
      expect(partition(b1!.events)).toEqual(partition(b2!.events));
      expect(partition(b1!.events)).toEqual(flushedOnB.map((batch) => batch.map((o) => o.version)).filter((v) => v[0]! > beforeBurst));
    } finally {
      await stopTap();
      await Promise.all(watchers.map((w) => w.client.dispose()));
      await Promise.all(bots.map((bot: Bot) => bot.close()));
    }
  });

  it('a subscription from version 0 over 1,000 stored ops delivers 1..1000 in a few page-sized batches, then the live ones', async () => {
    const documentId = await createDocument('\n');
    const { sequencer } = a.services.collab;
    for (let v = 1; v <= 1000; v++) {
      const result = await sequencer.submit({ documentId, baseVersion: v - 1, clientId: 'loader', clientSeq: v, delta: new Delta().insert(`${v % 10}`), authorId: owner.userId });
      expect(result.kind).toBe('applied');
    }
    const w = follow(b, documentId);
    try {
      await waitUntil(() => w.versions().length >= 1000, '1,000 stored ops', 20_000);
      expect(w.events.length).toBeLessThanOrEqual(4); // pages of 500 [FB7]
      for (let v = 1001; v <= 1005; v++) {
        await sequencer.submit({ documentId, baseVersion: v - 1, clientId: 'loader', clientSeq: v, delta: new Delta().insert('L'), authorId: owner.userId });
      }
      await waitUntil(() => w.versions().length >= 1005, 'the live ops', 10_000);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(w.versions()).toEqual(range(1005));
    } finally {
      await w.client.dispose();
    }
  });

  it('a subscriber that loses access gets NOT_FOUND and its batch stream ends; readers of the other instance keep theirs', async () => {
    const editor = await signUp(a);
    const editorToken = (await createToken(a, editor.cookie)).token;
    const documentId = await createDocument();
    const asOwner = (query: string, variables: Record<string, unknown>) => gqlHttp(a.url, query, variables, { cookie: owner.cookie });
    const shared = await asOwner('mutation($d: ID!, $e: String!) { shareDocument(documentId: $d, email: $e, role: EDITOR) { role } }', { d: documentId, e: editor.email });
    expect(shared.body.errors).toBeUndefined();
    const loser = follow(b, documentId, editorToken);
    const keeper = follow(a, documentId);
    const submit = (clientSeq: number) =>
      asOwner('mutation($i: SubmitOperationInput!) { submitOperation(input: $i) { version } }', {
        i: { documentId, baseVersion: clientSeq - 1, clientId: 'owner', clientSeq, delta: { ops: [{ insert: 'x' }] } },
      });
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      await submit(1);
      await waitUntil(() => loser.versions().length === 1 && keeper.versions().length === 1, 'the first op');
      const removed = await asOwner('mutation($d: ID!, $u: ID!) { removeCollaborator(documentId: $d, userId: $u) }', { d: documentId, u: editor.userId });
      expect(removed.body.data).toEqual({ removeCollaborator: true });
      await waitUntil(() => loser.completed, 'the stream to end', 5000);
      expect(loser.errors).toEqual(['NOT_FOUND']);
      await submit(2);
      await waitUntil(() => keeper.versions().length === 2, 'the owner to get the second op');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(loser.versions()).toEqual([1]);
      expect(keeper.versions()).toEqual([1, 2]);
    } finally {
      await Promise.all([loser.client.dispose(), keeper.client.dispose()]);
    }
  });

  it('refuses a negative fromVersion and documents it cannot read', async () => {
    const documentId = await createDocument();
    const stranger = await signUp(a);
    const strangerToken = (await createToken(a, stranger.cookie)).token;
    const negative = follow(a, documentId, token, -1);
    const foreign = follow(a, documentId, strangerToken);
    try {
      await waitUntil(() => negative.errors.length > 0 && foreign.errors.length > 0, 'both refusals');
      expect(negative.errors).toEqual(['BAD_USER_INPUT']);
      expect(foreign.errors).toEqual(['NOT_FOUND']);
    } finally {
      await Promise.all([negative.client.dispose(), foreign.client.dispose()]);
    }
  });
});
