/**
 * Carrying stored comment anchors to the document's head (lib/ot/SPEC.md AN5).
 *
 * A thread stores its range at the version it was last carried to. A read carries every anchor
 * of the document to head over the ops since the oldest of them, read once in pages, and tells
 * which anchors moved far enough to be worth writing back (a re-base). Because anchors are carried
 * one op at a time in version order, a re-base at any version gives the same answers later, and
 * concurrent readers writing back different versions cannot disagree: the write is conditional
 * on the stored version being older. Submitting ops never touches any of this.
 */
import { carryAnchor, type Anchor } from '../ot/anchor.ts';
import type { OpStore } from '../collab/op-store.ts';

/** A read that carried an anchor over at least this many ops writes it back. */
export const REBASE_AFTER_OPS = 20;

/** Ops read per page while carrying. */
const OPS_PAGE = 1_000;

/** A thread's stored anchor. */
export interface StoredAnchor {
  readonly threadId: string;
  readonly anchor: Anchor;
}

/** Anchors at head, by thread id, and those worth writing back. */
export interface CarriedAnchors {
  readonly atHead: ReadonlyMap<string, Anchor>;
  readonly rebase: readonly StoredAnchor[];
}

/**
 * Carries `stored` to version `head` of the document. Throws when the op log has a gap after an
 * anchor's version: history is never pruned while threads point into it, so that is a bug.
 */
export async function carryToHead(store: Pick<OpStore, 'opsAfter'>, documentId: string, head: number, stored: readonly StoredAnchor[]): Promise<CarriedAnchors> {
  const atHead = new Map<string, Anchor>();
  const behind: StoredAnchor[] = [];
  for (const s of stored) {
    // A deleted range stays deleted (AN4): only its version moves, with no ops to read.
    if (s.anchor.range === null || s.anchor.version >= head) atHead.set(s.threadId, s.anchor.range === null ? { range: null, version: Math.max(head, s.anchor.version) } : s.anchor);
    else behind.push(s);
  }
  if (behind.length === 0) return { atHead, rebase: [] };
  const current = new Map(behind.map((s) => [s.threadId, s.anchor]));
  let from = Math.min(...behind.map((s) => s.anchor.version));
  while (from < head) {
    const page = (await store.opsAfter(documentId, from, Math.min(OPS_PAGE, head - from))).filter((op) => op.version <= head);
    if (page[0]?.version !== from + 1) {
      throw new Error(`carryToHead: ${documentId} has no op ${from + 1} (anchors need every op after their version).`);
    }
    for (const [threadId, anchor] of current) current.set(threadId, carryAnchor(anchor, page));
    from = page[page.length - 1]!.version;
  }
  const rebase: StoredAnchor[] = [];
  for (const s of behind) {
    const anchor = current.get(s.threadId)!;
    atHead.set(s.threadId, anchor);
    if (anchor.version - s.anchor.version >= REBASE_AFTER_OPS) rebase.push({ threadId: s.threadId, anchor });
  }
  return { atHead, rebase };
}
