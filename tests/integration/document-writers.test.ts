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
import { routeToDocumentWriters, type DocumentWriters, type WriterRoute } from '../../lib/pubsub/document-writers.ts';
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

async function instance(store: OpStore, name: string, options: { forwardTimeoutMs?: number; leaseMs?: number } = {}) {
  const local = counted(createSequencer({ store, broadcaster: createMemoryBroadcaster() }));
  const connections = openRedisPubSub(redisUrl);
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  const routes: WriterRoute[] = [];
  const writers = await routeToDocumentWriters({
    local: local.sequencer,
    connections,
    redis: { set: (key, value, px, ms, nx, get) => redis.set(key, value, px, ms, nx, get), pexpire: (key, ms) => redis.pexpire(key, ms) },
    prefix,
    instanceId: name,
    onRoute: (route) => void routes.push(route),
    ...options,
  });
  const close = async () => {
    await writers.close();
    await connections.close();
    redis.disconnect();
  };
  closers.push(close);
  return { writers, ran: local.ran, routes, connections, close };
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

  it('[W1][W2] falls back to sequencing here when the writer does not answer in time; a late answer changes nothing, and the op is stored once', async () => {
    const { store, documentId } = await sharedDocument();
    const a = await instance(store, 'a');
    const b = await instance(store, 'b', { forwardTimeoutMs: 300 });
    await a.writers.submit(input(documentId, 'c1', 1, 'x'));
    // A's sequencer stalls (a long pause) for what B forwards: it answers only after B gave up.
    const stalled = store.commit.bind(store);
    let hold: (() => void) | null = null;
    store.commit = async (request) => {
      if (request.planned.ops.some((op) => op.clientId === 'c2') && hold === null) await new Promise<void>((resolve) => (hold = resolve));
      return stalled(request);
    };
    const answer = await b.writers.submit(input(documentId, 'c2', 1, 'y', 1));
    expect(b.routes).toEqual(['fallback']);
    expect(answer).toMatchObject({ kind: 'applied', version: 2 });
    (hold as (() => void) | null)?.();
    await a.writers.settle();
    await new Promise((resolve) => setTimeout(resolve, 100));
    // A's held plan was for version 2, which B took: A planned it again and found it stored [S2].
    expect((await store.opsAfter(documentId, 0)).map((op) => `${op.clientId}:${op.clientSeq}`)).toEqual(['c1:1', 'c2:1']);
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

  it('[W2] without Redis every submission is sequenced where it arrived, at once', async () => {
    const { store, documentId } = await sharedDocument();
    const a = await instance(store, 'a');
    await a.connections.close(); // Redis unreachable for this instance
    const started = performance.now();
    expect(await a.writers.submit(input(documentId, 'c1', 1, 'x'))).toMatchObject({ kind: 'applied', version: 1 });
    expect(performance.now() - started).toBeLessThan(500);
    expect(a.routes).toEqual(['local']);
  });
});
