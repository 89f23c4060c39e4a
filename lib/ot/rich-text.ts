/**
 * The operation type as an ottypes object, for ShareDB, ot-fuzzer and other ottypes tools
 * (./SPEC.md, OT11). Unlike the Result-returning functions of ./operation.ts, these methods follow
 * the ottypes contract and throw (an `OtError` with a stable `code`) on invalid input.
 *
 * Inputs may be Deltas or their JSON forms (`{ ops }` or a bare ops array). Ops are always
 * validated. A snapshot that is already a `Delta` instance is trusted to be a document this type
 * produced (via create/apply/deserialize) and is not re-validated, which keeps `apply` on a large
 * document at the cost of the compose itself; a snapshot in JSON form is validated.
 *
 * Per-request bounds (components and inserted characters per op) belong at the API edge, where
 * `validateOp` applies DEFAULT_LIMITS; here ops may be the composition of many requests, so only
 * the document size bound applies.
 */
import Delta, { type Op } from 'quill-delta';
import { DEFAULT_LIMITS, type Limits } from './limits.ts';
import {
  apply,
  checkApplicable,
  compose,
  diff,
  emptyDocument,
  invert,
  OtError,
  transform,
  transformSelection,
  unwrap,
  validateDocument,
  validateOp,
  validateSelection,
  type Selection,
  type Side,
} from './operation.ts';

const TYPE_LIMITS: Limits = Object.freeze({
  ...DEFAULT_LIMITS,
  maxComponents: Number.POSITIVE_INFINITY,
  maxInsertLength: DEFAULT_LIMITS.maxDocumentLength,
});

const toOp = (value: unknown): Delta => unwrap(validateOp(value, TYPE_LIMITS));
const toDocument = (value: unknown): Delta =>
  value instanceof Delta ? value : unwrap(validateDocument(value, TYPE_LIMITS));

/** The JSON form of a snapshot, as `serialize` returns it and the API's `content` carries it. */
export interface SerializedDocument {
  ops: Op[];
}

/** The ottypes-compatible rich-text type. See the module comment for the trust rules. */
export interface RichTextType {
  /** 'rich-text': the name Quill + ShareDB setups look types up by. */
  readonly name: 'rich-text';
  /** Distinct from ottypes' own rich-text URI because this type is stricter (see SPEC OT11). */
  readonly uri: 'https://verso.dev/types/rich-text/v1';
  /** A new document: "\n" when `initial` is undefined, else `initial` validated as a document. */
  create(initial?: unknown): Delta;
  /** `snapshot` with `op` applied; throws when the op does not fit the snapshot. */
  apply(snapshot: unknown, op: unknown): Delta;
  /** `op` transformed to apply after `otherOp`; `side` is `op`'s tie-break side. */
  transform(op: unknown, otherOp: unknown, side: Side): Delta;
  /** One op with the effect of `op1` then `op2`. */
  compose(op1: unknown, op2: unknown): Delta;
  /** The canonical Delta for an op (ShareDB calls this on submit). */
  normalize(op: unknown): Delta;
  /** The JSON form of a snapshot; a fresh object sharing nothing with `snapshot`. */
  serialize(snapshot: unknown): SerializedDocument;
  /** A snapshot from its JSON form, validated. */
  deserialize(data: unknown): Delta;
  /** The op undoing `op`, where `doc` is the document `op` applies to (`invert` needs the doc). */
  invertWithDoc(op: unknown, doc: unknown): Delta;
  /** The op turning snapshot `oldSnapshot` into `newSnapshot`. */
  diff(oldSnapshot: unknown, newSnapshot: unknown): Delta;
  /** A presence selection moved through `op` (ShareDB presence); null stays null. */
  transformPresence(presence: unknown, op: unknown, isOwnOp: boolean): Selection | null;
}

/**
 * The rich-text type as an ottypes object; has no `invert` (see `invertWithDoc`). Not frozen:
 * ottypes tools (ot-fuzzer's call counting) wrap its methods in place.
 */
export const richText: RichTextType = {
  name: 'rich-text',
  uri: 'https://verso.dev/types/rich-text/v1',

  create(initial?: unknown): Delta {
    return initial === undefined ? emptyDocument() : unwrap(validateDocument(initial, TYPE_LIMITS));
  },

  apply(snapshot: unknown, op: unknown): Delta {
    return unwrap(apply(toDocument(snapshot), toOp(op), TYPE_LIMITS));
  },

  transform(op: unknown, otherOp: unknown, side: Side): Delta {
    if (side !== 'left' && side !== 'right') {
      throw new OtError('BAD_USER_INPUT', `transform: side must be 'left' or 'right'; got ${String(side)}.`);
    }
    return transform(toOp(op), toOp(otherOp), side);
  },

  compose(op1: unknown, op2: unknown): Delta {
    return compose(toOp(op1), toOp(op2));
  },

  normalize(op: unknown): Delta {
    return toOp(op);
  },

  serialize(snapshot: unknown): SerializedDocument {
    // Re-validating copies every component and attribute map, so nothing is shared.
    return { ops: unwrap(validateDocument(snapshot, TYPE_LIMITS)).ops };
  },

  deserialize(data: unknown): Delta {
    return unwrap(validateDocument(data, TYPE_LIMITS));
  },

  invertWithDoc(op: unknown, doc: unknown): Delta {
    const delta = toOp(op);
    const base = toDocument(doc);
    unwrap(checkApplicable(base, delta));
    return invert(delta, base);
  },

  diff(oldSnapshot: unknown, newSnapshot: unknown): Delta {
    return diff(toDocument(oldSnapshot), toDocument(newSnapshot));
  },

  transformPresence(presence: unknown, op: unknown, isOwnOp: boolean): Selection | null {
    if (presence === null) return null;
    return transformSelection(unwrap(validateSelection(presence)), toOp(op), isOwnOp);
  },
};
