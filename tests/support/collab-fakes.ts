/**
 * Wrappers around the memory adapters that force the races and failures a real deployment has
 * (another writer winning a version, pruned history, lost broadcasts), for unit tests.
 */
import { createMemoryBroadcaster } from '../../lib/collab/memory/memory-broadcaster.ts';
import { createMemoryOpStore } from '../../lib/collab/memory/memory-op-store.ts';
import type { Broadcaster } from '../../lib/collab/broadcaster.ts';
import type { KnownHead } from '../../lib/collab/known-head.ts';
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

/** A store whose `commit` runs `before` first (e.g. to let another writer commit meanwhile). */
export function interceptCommits(store: OpStore, before: (call: number) => Promise<void> | void): OpStore & { commits: number } {
  const wrapped = {
    ...store,
    commits: 0,
    async commit(...args: Parameters<OpStore['commit']>) {
      wrapped.commits++;
      await before(wrapped.commits);
      return store.commit(...args);
    },
  };
  return wrapped;
}

/** A store that has pruned every op at or below `prunedThrough` (reads and loaded tails start after it). */
export function prunedStore(store: OpStore, prunedThrough: number): OpStore {
  const prune = <T extends KnownHead | null>(head: T): T => (head ? { ...head, tail: head.tail.filter((op) => op.version > prunedThrough) } : head);
  return {
    ...store,
    opsAfter: (documentId, afterVersion, limit) => store.opsAfter(documentId, Math.max(afterVersion, prunedThrough), limit),
    load: async (documentId, historyAfter) => prune(await store.load(documentId, historyAfter)),
    commit: (request) => store.commit({ ...request, replan: (head) => request.replan(prune(head)) }),
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
