/**
 * One writer per document (lib/pubsub/document-writers.ts) on the real Redis: two "instances",
 * each its own sequencer over one shared store (as two processes over one PostgreSQL), each
 * wrapped by the router with its own pub/sub connections. Which sequencer ran a submission is
 * seen by counting each one's submits.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createMemoryBroadcaster } from '../../lib/collab/memory/memory-broadcaster.ts';
import { createMemoryOpStore } from '../../lib/collab/memory/memory-op-store.ts';
import type { OpStore } from '../../lib/collab/op-store.ts';
import { createSequencer, type Sequencer } from '../../lib/collab/sequencer.ts';
import type { SubmitInput } from '../../lib/collab/types.ts';
import { Delta } from '../../lib/ot/operation.ts';
import { CLAIM_LEASE_SCRIPT, routeToDocumentWriters, type WriterRoute } from '../../lib/pubsub/document-writers.ts';
import { openRedisPubSub } from '../../lib/pubsub/redis-connections.ts';

const redisUrl = inject('redisUrl');
const prefix = `${inject('redisPrefix')}writers-${randomUUID().slice(0, 8)}:`;

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()!().catch(() => {});
});

/** A sequencer counting what it was asked to submit, so a test sees where submissions ran. */
function counted(sequencer: Sequencer) {
  const ran: SubmitInput[] = [];
  const wrapped: Sequencer = { ...sequencer, submit: (input) => (ran.push(input), sequencer.submit(input)) };
  return { sequencer: wrapped, ran };
}

async function instance(store: OpStore, name: string, options: { answerTimeoutMs?: number; receiptTimeoutMs?: number; leaseMs?: number } = {}) {
  const local = counted(createSequencer({ store, broadcaster: createMemoryBroadcaster() }));
  const connections = openRedisPubSub(redisUrl);
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  const routes: WriterRoute[] = [];
  const bad: string[] = [];
  const writers = await routeToDocumentWriters({
    local: local.sequencer,
    connections,
    lease: { claim: async (key, self, ms) => String(await redis.eval(CLAIM_LEASE_SCRIPT, 1, key, self, String(ms))) },
    prefix,
    instanceId: name,
    onRoute: (route) => void routes.push(route),
    onBadMessage: (channel) => void bad.push(channel),
    ...options,
  });
  const close = async () => {
    await writers.close();
    await connections.close();
    redis.disconnect();
  };
  closers.push(close);
  return { writers, ran: local.ran, routes, bad, connections, redis, close };
}

const input = (documentId: string, clientId: string, clientSeq: number, text: string, baseVersion = 0): SubmitInput => ({
  documentId,
  baseVersion,
  clientId,
  clientSeq,
  delta: new Delta().insert(text),
  authorId: `user-${clientId}`,
});

async function sharedDocument() {
  const store = createMemoryOpStore();
  const documentId = `doc-${randomUUID()}`;
  await store.createDocument(documentId, new Delta().insert('\n'), new Date());
  return { store, documentId };
}

describe('one writer per document', () => {
  it("[W1] sequences a document's submissions on the instance that wrote it first, wherever they arrive, and relays the writer's answers", async () => {
    const { store, documentId } = await sharedDocument();
    const a = await instance(store, 'a');
    const b = await instance(store, 'b');
    expect(await a.writers.submit(input(documentId, 'c1', 1, 'x'))).toMatchObject({ kind: 'applied', version: 1 });
    const viaB = await b.writers.submit(input(documentId, 'c2', 1, 'y'));
    expect(viaB).toMatchObject({ kind: 'applied', version: 2 });
    expect(viaB.kind === 'applied' && viaB.delta).toBeInstanceOf(Delta); // a Delta again after the trip through Redis
    // A resend through B is answered duplicate by the writer, with the op as applied.
    expect(await b.writers.submit(input(documentId, 'c2', 1, 'y'))).toMatchObject({ kind: 'duplicate', version: 2 });
    expect(a.ran.map((s) => s.clientId)).toEqual(['c1', 'c2', 'c2']);
    expect(b.ran).toEqual([]);
    expect(b.routes).toEqual(['forwarded', 'forwarded']);
    expect(a.routes).toEqual(['local', 'served', 'served']);
    // Refusals come back as they were given.
    const tooNew = await b.writers.submit(input(documentId, 'c3', 1, 'z', 99));
    expect(tooNew).toMatchObject({ kind: 'rejected', code: 'VERSION_AHEAD' });
    expect((await store.opsAfter(documentId, 0)).map((op) => op.clientId)).toEqual(['c1', 'c2']);
  });

  it('[W2] sequences a submission where it arrived when the writer is gone, and keeps writing there (nothing waits for a dead instance)', async () => {
    const { store, documentId } = await sharedDocument();
    const a = await instance(store, 'a');
    const b = await instance(store, 'b');
    await a.writers.submit(input(documentId, 'c1', 1, 'x'));
    await a.close(); // the writer crashed; its lease lives on for leaseMs
    const started = performance.now();
    expect(await b.writers.submit(input(documentId, 'c2', 1, 'y', 1))).toMatchObject({ kind: 'applied', version: 2 });
    expect(await b.writers.submit(input(documentId, 'c2', 2, 'z', 2))).toMatchObject({ kind: 'applied', version: 3 });
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(b.routes).toEqual(['fallback', 'local']);
    expect(b.ran.map((s) => s.clientSeq)).toEqual([1, 2]);
  });

  it('[W1][W2] a writer that received a submission but does not answer in time: the client is told to resend (RATE_LIMITED), and the resend is answered duplicate once the writer applied it; stored once', async () => {
    const { store, documentId } = await sharedDocument();
    const a = await instance(store, 'a');
    const b = await instance(store, 'b', { answerTimeoutMs: 300 });
    await a.writers.submit(input(documentId, 'c1', 1, 'x'));
    // A's commits of c2 stall (a PostgreSQL stall): it answers only after B stopped waiting.
    const commit = store.commit.bind(store);
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let heldCommit: Promise<unknown> | null = null;
    store.commit = (request) => {
      if (!request.planned.ops.some((op) => op.clientId === 'c2')) return commit(request);
      return (heldCommit ??= held.then(() => commit(request))) as ReturnType<typeof commit>;
    };
    const started = performance.now();
    const first = await b.writers.submit(input(documentId, 'c2', 1, 'y', 1));
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(first).toMatchObject({ kind: 'rejected', code: 'RATE_LIMITED', retryAfterSeconds: 1 });
    expect(a.ran.map((s) => s.clientId)).toEqual(['c1', 'c2']); // the writer had it…
    expect(b.ran).toEqual([]); // …so B did not sequence a second copy beside it
    release();
    await heldCommit;
    store.commit = commit;
    expect(await b.writers.submit(input(documentId, 'c2', 1, 'y', 1))).toMatchObject({ kind: 'duplicate', version: 2 });
    expect((await store.opsAfter(documentId, 0)).map((op) => `${op.clientId}:${op.clientSeq}`)).toEqual(['c1:1', 'c2:1']);
  });

  it('[W2] a writer that holds the lease and listens but never says it received (frozen, or its host gone without closing its connection): sequenced here after the receipt timeout, and that writer is not asked again for the lease', async () => {
    const { store, documentId } = await sharedDocument();
    const b = await instance(store, 'b', { receiptTimeoutMs: 200 });
    const ghost = openRedisPubSub(redisUrl);
    closers.push(() => ghost.close());
    await ghost.subscriber.subscribe(`${prefix}writer:ghost:submit`);
    await b.redis.set(`${prefix}writer:${documentId}`, 'ghost', 'PX', 3_000);
    const started = performance.now();
    expect(await b.writers.submit(input(documentId, 'c1', 1, 'x'))).toMatchObject({ kind: 'applied', version: 1 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    const other = await sharedDocument();
    await store.createDocument(other.documentId, new Delta().insert('\n'), new Date());
    await b.redis.set(`${prefix}writer:${other.documentId}`, 'ghost', 'PX', 3_000);
    const again = performance.now();
    expect(await b.writers.submit(input(other.documentId, 'c2', 1, 'y'))).toMatchObject({ kind: 'applied', version: 1 });
    expect(performance.now() - again).toBeLessThan(150); // the silent writer's other documents: not asked
    expect(b.routes).toEqual(['fallback', 'fallback']);
  });

  it('[W2] a publish slower than the receipt timeout does not make a live writer look silent: the receipt is timed from the publish', async () => {
    const { store, documentId } = await sharedDocument();
    const a = await instance(store, 'a');
    const b = await instance(store, 'b', { receiptTimeoutMs: 200 });
    await a.writers.submit(input(documentId, 'c1', 1, 'x'));
    const publisher = b.connections.publisher;
    const publish = publisher.publish.bind(publisher);
    publisher.publish = async (channel, message) => {
      await new Promise((resolve) => setTimeout(resolve, 300)); // a slow Redis: the PUBLISH takes 300 ms
      return publish(channel, message);
    };
    expect(await b.writers.submit(input(documentId, 'c2', 1, 'y', 1))).toMatchObject({ kind: 'applied', version: 2 });
    expect(b.routes).toEqual(['forwarded']);
    expect(b.ran).toEqual([]);
  });

  it('[W2] a submission sequenced here after its writer could not be asked is sequenced once, even when that fails', async () => {
    const { store, documentId } = await sharedDocument();
    const b = await instance(store, 'b', { receiptTimeoutMs: 100 });
    await b.redis.set(`${prefix}writer:${documentId}`, 'gone', 'PX', 3_000); // nobody listens on its channel
    store.commit = async () => {
      throw new Error('connection terminated');
    };
    await expect(b.writers.submit(input(documentId, 'c1', 1, 'x'))).rejects.toThrow('connection terminated');
    expect(b.ran).toHaveLength(1);
  });

  it('ignores messages on its channels that are not requests or answers (no crash), answers a request whose op is malformed BAD_USER_INPUT, and goes on serving', async () => {
    const { store, documentId } = await sharedDocument();
    const a = await instance(store, 'a');
    const b = await instance(store, 'b');
    const raw = b.connections.publisher;
    for (const channel of [`${prefix}writer:a:submit`, `${prefix}writer:b:answer`]) {
      for (const message of ['not json', 'null', '{}', '[1,2]', JSON.stringify({ id: 5 })]) await raw.publish(channel, message);
    }
    const malformed = { id: 'm1', from: 'b', input: { documentId, baseVersion: 0, clientId: 'c9', clientSeq: 1, authorId: 'u', check: 'edit', delta: [{ insert: 5 }] } };
    await raw.publish(`${prefix}writer:a:submit`, JSON.stringify(malformed));
    await a.writers.submit(input(documentId, 'c1', 1, 'x'));
    expect(await b.writers.submit(input(documentId, 'c2', 1, 'y', 1))).toMatchObject({ kind: 'applied', version: 2 });
    expect(a.bad.length).toBeGreaterThanOrEqual(5);
    expect(b.bad.length).toBeGreaterThanOrEqual(5);
    expect(a.ran.map((s) => s.clientId)).toEqual(['c1', 'c2']); // the malformed op never reached the sequencer
    expect((await store.opsAfter(documentId, 0)).map((op) => op.clientId)).toEqual(['c1', 'c2']);
  });

  it('[W1] lets another instance take a document whose writer stopped writing it for the lease', async () => {
    const { store, documentId } = await sharedDocument();
    const a = await instance(store, 'a', { leaseMs: 300 });
    const b = await instance(store, 'b', { leaseMs: 300 });
    await a.writers.submit(input(documentId, 'c1', 1, 'x'));
    await new Promise((resolve) => setTimeout(resolve, 450));
    await b.writers.submit(input(documentId, 'c2', 1, 'y', 1));
    expect(b.routes).toEqual(['local']);
    await a.writers.submit(input(documentId, 'c1', 2, 'z', 2));
    expect(a.routes).toEqual(['local', 'forwarded']);
  });

  it('[W2] without Redis every submission is sequenced where it arrived, at once, and counted unrouted', async () => {
    const { store, documentId } = await sharedDocument();
    const a = await instance(store, 'a');
    await a.connections.close(); // Redis unreachable for this instance: pub/sub and commands
    a.redis.disconnect();
    const started = performance.now();
    expect(await a.writers.submit(input(documentId, 'c1', 1, 'x'))).toMatchObject({ kind: 'applied', version: 1 });
    expect(performance.now() - started).toBeLessThan(500);
    expect(a.routes).toEqual(['unrouted']);
  });
});
