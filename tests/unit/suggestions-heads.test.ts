/**
 * lib/documents/suggestions-heads.ts: the per-process copy of documents the suggestions service
 * reads at head. What each read costs the store, counted on the memory op store.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryBroadcaster } from '../../lib/collab/memory/memory-broadcaster.ts';
import { createMemoryOpStore } from '../../lib/collab/memory/memory-op-store.ts';
import type { OpStore } from '../../lib/collab/op-store.ts';
import { createSequencer } from '../../lib/collab/sequencer.ts';
import { createHeadReader } from '../../lib/documents/suggestions-heads.ts';
import { Delta } from '../../lib/ot/operation.ts';

/** A memory store, a sequencer writing to it, and a reader on it whose reads are counted. */
async function setup() {
  const memory = createMemoryOpStore();
  const reads = { head: 0, opsAfter: 0 };
  const store: OpStore = {
    ...memory,
    head: (documentId) => (reads.head++, memory.head(documentId)),
    opsAfter: (documentId, after, limit) => (reads.opsAfter++, memory.opsAfter(documentId, after, limit)),
  };
  const sequencer = createSequencer({ store: memory, broadcaster: createMemoryBroadcaster(), follow: null, snapshotEvery: 0 });
  expect(await sequencer.createDocument('d', new Delta().insert('Hello\n'))).toEqual({ kind: 'created', version: 0 });
  let seq = 0;
  const write = async (text: string) => expect(await sequencer.submit({ documentId: 'd', baseVersion: 0, clientId: 'w', clientSeq: ++seq, delta: new Delta().insert(text), authorId: 'u' })).toMatchObject({ kind: 'applied' });
  return { reads, write, heads: createHeadReader(store) };
}

describe('head reader', () => {
  it('given the head version it just read, a kept copy at it answers from memory; behind it, one read of the ops after it', async () => {
    const { reads, write, heads } = await setup();
    await write('a');
    expect(await heads.read('d', 1, 1)).toMatchObject({ kind: 'head', version: 1, missed: [] });
    expect(reads).toEqual({ head: 1, opsAfter: 0 }); // first read: the snapshot and its ops
    expect(await heads.read('d', 1, 1)).toMatchObject({ kind: 'head', version: 1, content: new Delta().insert('aHello\n'), missed: [] });
    expect(reads).toEqual({ head: 1, opsAfter: 0 });
    await write('b');
    expect(await heads.read('d', 2, 2)).toMatchObject({ kind: 'head', version: 2, content: new Delta().insert('abHello\n'), missed: [] });
    expect(reads).toEqual({ head: 1, opsAfter: 1 });
    // Without the head version (suggestOperation's base), it reads the ops after what it keeps.
    const view = await heads.read('d', 1);
    expect(view).toMatchObject({ kind: 'head', version: 2 });
    expect(view.kind === 'head' && view.missed.map((op) => op.version)).toEqual([2]);
    expect(reads).toEqual({ head: 1, opsAfter: 2 });
  });
});
