/**
 * Wrappers around the memory adapters that force the races and failures a real deployment has
 * (another writer winning a version, pruned history, lost broadcasts), for unit tests.
 */
import { createMemoryBroadcaster } from '../../lib/collab/memory/memory-broadcaster.ts';
import { createMemoryOpStore } from '../../lib/collab/memory/memory-op-store.ts';
import type { Broadcaster } from '../../lib/collab/broadcaster.ts';
import type { OpStore } from '../../lib/collab/op-store.ts';
import { createSequencer, type SequencerOptions } from '../../lib/collab/sequencer.ts';
import type { AppliedOp, SubmitInput } from '../../lib/collab/types.ts';
import { Delta } from '../../lib/ot/operation.ts';

export const DOC = 'doc-1';

/** A fixed clock: second n after 2024-01-01 for the nth call. */
export function steppingClock(): () => Date {
  let n = 0;
  return () => new Date(Date.UTC(2024, 0, 1) + ++n * 1000);
}

/** A sequencer on fresh memory ports with a document DOC holding `text`. */
export async function setup(text = 'Hello\n', options: Partial<SequencerOptions> = {}) {
  const store = options.store ?? createMemoryOpStore();
  const broadcaster = options.broadcaster ?? createMemoryBroadcaster();
  const published: AppliedOp[] = [];
  await broadcaster.subscribe(DOC, (op) => void published.push(op));
  const sequencer = createSequencer({ clock: steppingClock(), ...options, store, broadcaster });
  const created = await sequencer.createDocument(DOC, new Delta().insert(text));
  if (created.kind !== 'created') throw new Error('setup: createDocument failed');
  return { store, broadcaster, sequencer, published };
}

/** A submission with defaults: clientId 'a', authorId 'user-a'. */
export function submission(baseVersion: number, clientSeq: number, delta: Delta, clientId = 'a'): SubmitInput {
  return { documentId: DOC, baseVersion, clientId, clientSeq, delta, authorId: `user-${clientId}` };
}

/** A store whose `append` runs `before` first (e.g. to let another writer win the version). */
export function interceptAppends(store: OpStore, before: (call: number) => Promise<void> | void): OpStore & { appends: number } {
  const wrapped = {
    ...store,
    appends: 0,
    async append(...args: Parameters<OpStore['append']>) {
      wrapped.appends++;
      await before(wrapped.appends);
      return store.append(...args);
    },
  };
  return wrapped;
}

/** A store that has pruned every op at or below `prunedThrough`. */
export function prunedStore(store: OpStore, prunedThrough: number): OpStore {
  return {
    ...store,
    async opsAfter(documentId, afterVersion, limit) {
      const ops = await store.opsAfter(documentId, Math.max(afterVersion, prunedThrough), limit);
      return ops;
    },
  };
}

/** A broadcaster that silently drops the ops whose versions are listed (a lossy pub/sub). */
export function lossyBroadcaster(inner: Broadcaster, dropVersions: readonly number[]): Broadcaster {
  return {
    subscribe: (documentId, listener) => inner.subscribe(documentId, listener),
    async publish(documentId, op) {
      if (!dropVersions.includes(op.version)) await inner.publish(documentId, op);
    },
  };
}
