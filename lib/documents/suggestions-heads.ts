/**
 * The document at head and the ops a submission missed, for the work that must see the text an
 * op lands on before it is sequenced (issue 18): `toSuggestion` on every `suggestOperation`, and
 * accept and reject (lib/ot/SPEC.md SG12, SG15). Plain edits are not read here: the planner
 * checks them on the head they commit on (lib/collab/SPEC.md PL10).
 *
 * One process keeps the content of recently read documents, so a suggester costs one
 * indexed read of the ops after what it knows (usually one or none) instead of a snapshot and
 * a replay per op. A document unknown here, or one whose history was pruned past what it knows,
 * is read from its snapshot. What it answers is as of that read: ops committed after it are
 * caught up by the sequencer as usual (the exactness limits are in lib/ot/SPEC.md SG18).
 */
import { contentAtHead } from '../collab/document-loader.ts';
import { deltaBytes } from '../collab/known-head.ts';
import type { OpStore } from '../collab/op-store.ts';
import { DEFAULT_CATCH_UP } from '../collab/planner.ts';
import type { AppliedOp } from '../collab/types.ts';
import { apply, transform, type Delta } from '../ot/operation.ts';
import { rejected, type Rejected } from './types.ts';

/** A document at head and the ops after a submission's base version, in order. */
export interface HeadView {
  readonly kind: 'head';
  readonly version: number;
  readonly content: Delta;
  readonly createdAt: Date;
  readonly missed: readonly AppliedOp[];
}

export interface HeadReader {
  /**
   * The head, and the ops after `baseVersion` (all of them: `VERSION_TOO_OLD` when they are not all kept).
   * `headVersion`: the head version the caller has just read (`headVersions`); when the copy kept
   * here is at it and so is `baseVersion`, the answer comes from memory with no read.
   */
  read(documentId: string, baseVersion: number, headVersion?: number): Promise<HeadView | Rejected>;
}

/** Documents whose head content one process keeps for these checks. */
const MAX_DOCUMENTS = 500;
/** Estimated bytes those may take together (`deltaBytes`). */
const MAX_BYTES = 32 * 1024 * 1024;

interface Kept {
  readonly version: number;
  readonly content: Delta;
  readonly createdAt: Date;
  readonly bytes: number;
}

export function createHeadReader(store: OpStore): HeadReader {
  const kept = new Map<string, Kept>(); // oldest first (re-inserted on use)
  let bytes = 0;

  const keep = (documentId: string, value: Omit<Kept, 'bytes'>): void => {
    const old = kept.get(documentId);
    if (old !== undefined) {
      if (old.version > value.version) return; // a racing reader got further
      bytes -= old.bytes;
      kept.delete(documentId);
    }
    const size = deltaBytes(value.content);
    if (size > MAX_BYTES / 4) return;
    kept.set(documentId, { ...value, bytes: size });
    bytes += size;
    for (const [id, entry] of kept) {
      if (kept.size <= MAX_DOCUMENTS && bytes <= MAX_BYTES) break;
      kept.delete(id);
      bytes -= entry.bytes;
    }
  };

  const tooOld = (baseVersion: number): Rejected =>
    rejected('VERSION_TOO_OLD', `History after version ${baseVersion} is no longer available, or the op is too far behind; reload the document.`);

  async function fromSnapshot(documentId: string, baseVersion: number): Promise<HeadView | Rejected> {
    const head = await store.head(documentId);
    if (head === null) return rejected('NOT_FOUND', `No document with id "${documentId}" that you can see; it may have been deleted.`);
    if (baseVersion > head.version) return ahead(baseVersion, head.version);
    const state = contentAtHead(head);
    keep(documentId, { version: state.version, content: state.content, createdAt: state.createdAt });
    let missed: readonly AppliedOp[];
    if (baseVersion >= head.snapshot.version) missed = head.ops.filter((op) => op.version > baseVersion);
    else {
      if (head.version - baseVersion > DEFAULT_CATCH_UP.maxOps) return tooOld(baseVersion);
      missed = await store.opsAfter(documentId, baseVersion, head.version - baseVersion);
      if (missed.length !== head.version - baseVersion || missed[0]!.version !== baseVersion + 1) return tooOld(baseVersion);
    }
    return { kind: 'head', version: state.version, content: state.content, createdAt: state.createdAt, missed };
  }

  return {
    async read(documentId, baseVersion, headVersion) {
      if (!Number.isSafeInteger(baseVersion) || baseVersion < 0) return rejected('BAD_USER_INPUT', `baseVersion must be a whole number ≥ 0, got ${baseVersion}.`);
      const known = kept.get(documentId);
      if (known === undefined) return fromSnapshot(documentId, baseVersion);
      if (known.version === headVersion && baseVersion === headVersion) {
        kept.delete(documentId); // most recently used: kept longest
        kept.set(documentId, known);
        return { kind: 'head', version: known.version, content: known.content, createdAt: known.createdAt, missed: [] };
      }
      const from = Math.min(baseVersion, known.version);
      if (known.version - from > DEFAULT_CATCH_UP.maxOps) return fromSnapshot(documentId, baseVersion);
      const ops = await store.opsAfter(documentId, from, DEFAULT_CATCH_UP.maxOps + 1);
      // Not contiguous from `from` (pruned), or more than a catch-up's worth: read it whole.
      if ((ops.length > 0 && ops[0]!.version !== from + 1) || ops.length > DEFAULT_CATCH_UP.maxOps) return fromSnapshot(documentId, baseVersion);
      let content = known.content;
      let createdAt = known.createdAt;
      for (const op of ops) {
        if (op.version <= known.version) continue;
        const next = apply(content, op.delta);
        if (!next.ok) throw new Error(`suggestions: stored op ${documentId}@${op.version} does not apply: ${next.message}`);
        content = next.value;
        createdAt = op.createdAt;
      }
      const version = ops.length > 0 ? ops[ops.length - 1]!.version : from;
      if (version < known.version) return fromSnapshot(documentId, baseVersion); // ops vanished: the document was replaced
      if (baseVersion > version) return ahead(baseVersion, version);
      keep(documentId, { version, content, createdAt });
      return { kind: 'head', version, content, createdAt, missed: ops.filter((op) => op.version > baseVersion) };
    },
  };
}

const ahead = (baseVersion: number, head: number): Rejected =>
  rejected('VERSION_AHEAD', `baseVersion ${baseVersion} is past the head version ${head}; reload the document and resubmit.`);

/** `delta` made at the view's base version, carried over the ops it missed; committed ops win ties, as in the sequencer [S3]. */
export function carryOver(delta: Delta, view: HeadView): Delta {
  let carried = delta;
  for (const op of view.missed) carried = transform(carried, op.delta, 'right');
  return carried;
}
