/**
 * Issue 20 item 2: no edit is lost to a crash or a closed tab. Every change of the unconfirmed
 * edits is handed to the store (onPendingChange) at once, without the 200 ms debounce that used
 * to lose the last keystrokes, and an op is sent only once the store holds it, so an op the
 * server may have applied is never missing from what a reopened page resumes. Against a scripted
 * graphql-ws client and fake timers: the order of store and send is exact.
 */
import type { Client, Sink } from 'graphql-ws';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CollabSession } from '../../lib/api-client/collab-session.ts';
import type { OfflineSnapshot } from '../../lib/api-client/offline-snapshot.ts';
import { Delta } from '../../lib/ot/operation.ts';

/** A client that answers OpenDocument and records every submission (answered by the test). */
function scriptedClient() {
  const submits: Array<{ variables: Record<string, unknown>; sink: Sink }> = [];
  const client = {
    subscribe(payload: { query: string; variables?: Record<string, unknown> }, sink: Sink) {
      if (payload.query.includes('query OpenDocument')) {
        queueMicrotask(() => {
          sink.next({ data: { document: { id: 'd1', title: 'T', version: 0, content: { ops: [{ insert: '\n' }] }, myRole: 'EDITOR' } } });
          sink.complete();
        });
      }
      if (payload.query.includes('mutation SubmitOperation')) submits.push({ variables: payload.variables ?? {}, sink });
      return () => {};
    },
    on: () => () => {},
  } as unknown as Client;
  return { client, submits };
}

/** A store whose writes complete when the test says so. */
function manualStore() {
  const writes: Array<{ snapshot: OfflineSnapshot | null; done: () => void }> = [];
  const store = (snapshot: OfflineSnapshot | null) => new Promise<void>((resolve) => writes.push({ snapshot, done: resolve }));
  return { writes, store };
}

const textOf = (snapshot: OfflineSnapshot | null) => {
  if (!snapshot) return null;
  const ops = [...snapshot.inFlight.op.ops, ...(snapshot.buffer?.ops ?? [])];
  return ops.map((op) => (typeof op.insert === 'string' ? op.insert : '')).join('');
};

describe('[offline] an edit is stored before it is sent, and without a debounce', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('hands each edit to the store at once and sends the op only after the store has it', async () => {
    const { client, submits } = scriptedClient();
    const { writes, store } = manualStore();
    const session = await CollabSession.open({ client, documentId: 'd1', presence: false, onPendingChange: store });

    session.applyLocal(new Delta().insert('a'));
    await vi.advanceTimersByTimeAsync(0); // microtasks only: no debounce may be needed
    expect(writes).toHaveLength(1);
    expect(writes[0]!.snapshot).toMatchObject({ inFlight: { clientSeq: 1, op: { ops: [{ insert: 'a' }] } } });
    // Not sent while the write is pending: a crash now loses nothing the server has.
    await vi.advanceTimersByTimeAsync(1_000);
    expect(submits).toHaveLength(0);
    writes[0]!.done();
    await vi.advanceTimersByTimeAsync(0);
    expect(submits).toHaveLength(1);
    expect(submits[0]!.variables).toMatchObject({ input: { clientSeq: 1, delta: { ops: [{ insert: 'a' }] } } });
    await session.close();
  });

  it('stores keystrokes typed while a write is pending in one follow-up write, as soon as it ends', async () => {
    const { client } = scriptedClient();
    const { writes, store } = manualStore();
    const session = await CollabSession.open({ client, documentId: 'd1', presence: false, onPendingChange: store });
    session.applyLocal(new Delta().insert('a'));
    await vi.advanceTimersByTimeAsync(0);
    session.applyLocal(new Delta().retain(1).insert('b'));
    session.applyLocal(new Delta().retain(2).insert('c'));
    await vi.advanceTimersByTimeAsync(0);
    expect(writes).toHaveLength(1); // one write at a time
    writes[0]!.done();
    await vi.advanceTimersByTimeAsync(0);
    expect(writes).toHaveLength(2);
    expect(textOf(writes[1]!.snapshot)).toBe('abc');
    writes[1]!.done();
    await session.close();
  });

  it('page hidden: flushPending resolves once the store holds the last keystroke', async () => {
    const { client } = scriptedClient();
    const saved: Array<OfflineSnapshot | null> = [];
    const session = await CollabSession.open({ client, documentId: 'd1', presence: false, onPendingChange: async (s) => void saved.push(s) });
    session.applyLocal(new Delta().insert('a'));
    session.applyLocal(new Delta().retain(1).insert('b'));
    await session.flushPending();
    expect(textOf(saved.at(-1)!)).toBe('ab');
    await session.close();
  });

  it('page closing: flushPending calls the store at once, even while an earlier write is pending (a closing page runs no later task)', async () => {
    const { client } = scriptedClient();
    const { writes, store } = manualStore();
    const session = await CollabSession.open({ client, documentId: 'd1', presence: false, onPendingChange: store });
    session.applyLocal(new Delta().insert('a'));
    await vi.advanceTimersByTimeAsync(0);
    expect(writes).toHaveLength(1); // 'a' being written
    session.applyLocal(new Delta().retain(1).insert('b'));
    session.applyLocal(new Delta().retain(2).insert('c'));
    // pagehide: no timer, no microtask and no event may run after this call before the page goes.
    const flushed = session.flushPending();
    expect(writes).toHaveLength(2);
    expect(textOf(writes[1]!.snapshot)).toBe('abc');
    writes[0]!.done();
    writes[1]!.done();
    await vi.advanceTimersByTimeAsync(0);
    for (const w of writes.slice(2)) w.done();
    await flushed;
    await session.close();
  });

  it('a store that never answers (IndexedDB blocked) delays sending by 2 s, not for ever', async () => {
    const { client, submits } = scriptedClient();
    const session = await CollabSession.open({ client, documentId: 'd1', presence: false, onPendingChange: () => new Promise<void>(() => {}) });
    session.applyLocal(new Delta().insert('a'));
    await vi.advanceTimersByTimeAsync(1_999);
    expect(submits).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(submits).toHaveLength(1);
    await session.close();
  });

  it('without a store, an op is sent at once (the bots, the benchmark and the example client)', async () => {
    const { client, submits } = scriptedClient();
    const session = await CollabSession.open({ client, documentId: 'd1', presence: false });
    session.applyLocal(new Delta().insert('a'));
    expect(submits).toHaveLength(1);
    await session.close();
  });
});
