/**
 * Rebuilding document content from the op store: nearest snapshot plus the ops after it [S8].
 */
import { apply, type Delta } from '../ot/operation.ts';
import type { HeadState, OpStore } from './op-store.ts';
import type { AppliedOp, Snapshot } from './types.ts';

/** A document's content at one version. `createdAt` is when that version was made. */
export interface DocumentState {
  readonly documentId: string;
  readonly version: number;
  readonly content: Delta;
  readonly createdAt: Date;
}

/** The answer to `documentAt`: the state, or why there is none. */
export type DocumentAtResult =
  | { readonly kind: 'found'; readonly state: DocumentState }
  | { readonly kind: 'rejected'; readonly code: 'NOT_FOUND' | 'VERSION_AHEAD' | 'VERSION_TOO_OLD' | 'BAD_USER_INPUT'; readonly message: string };

/**
 * Composes `ops` onto `base`. Stored ops always apply (S1); one that does not means the store
 * is corrupt, which is a bug, so this throws rather than answering a value.
 */
export function replay(base: Snapshot, ops: readonly AppliedOp[]): DocumentState {
  let content = base.content;
  let version = base.version;
  let createdAt = base.createdAt;
  for (const op of ops) {
    if (op.version !== version + 1) {
      throw new Error(`replay: ${base.documentId} expected version ${version + 1} but got ${op.version}`);
    }
    const next = apply(content, op.delta);
    if (!next.ok) throw new Error(`replay: stored op ${base.documentId}@${op.version} does not apply: ${next.message}`);
    content = next.value;
    version = op.version;
    createdAt = op.createdAt;
  }
  return { documentId: base.documentId, version, content, createdAt };
}

/** The content at head of a `HeadState` from `OpStore.head`. */
export function contentAtHead(head: HeadState): DocumentState {
  const state = replay(head.snapshot, head.ops);
  if (state.version !== head.version) {
    throw new Error(`head of ${head.snapshot.documentId}: ops end at ${state.version}, head is ${head.version}`);
  }
  return state;
}

/** The document at head, or null when it does not exist. */
export async function loadDocument(store: OpStore, documentId: string): Promise<DocumentState | null> {
  const head = await store.head(documentId);
  return head ? contentAtHead(head) : null;
}

/**
 * The document as it was after `version` ops, from the nearest snapshot at or below `version`
 * plus the ops up to it.
 */
export async function documentAt(store: OpStore, documentId: string, version: number): Promise<DocumentAtResult> {
  if (!Number.isSafeInteger(version) || version < 0) {
    return { kind: 'rejected', code: 'BAD_USER_INPUT', message: `version must be a whole number ≥ 0, got ${version}.` };
  }
  const head = await store.head(documentId);
  if (!head) return { kind: 'rejected', code: 'NOT_FOUND', message: `Document ${documentId} does not exist.` };
  if (version > head.version) {
    return { kind: 'rejected', code: 'VERSION_AHEAD', message: `Version ${version} is past the head version ${head.version}.` };
  }
  if (version === head.version) return { kind: 'found', state: contentAtHead(head) };
  const snapshot = await store.latestSnapshotAtOrBelow(documentId, version);
  if (!snapshot) {
    return { kind: 'rejected', code: 'VERSION_TOO_OLD', message: `History before version ${version} is no longer available.` };
  }
  const ops = await store.opsAfter(documentId, snapshot.version, version - snapshot.version);
  if (ops.length !== version - snapshot.version || (ops[0] && ops[0].version !== snapshot.version + 1)) {
    return { kind: 'rejected', code: 'VERSION_TOO_OLD', message: `History before version ${version} is no longer available.` };
  }
  return { kind: 'found', state: replay(snapshot, ops) };
}
