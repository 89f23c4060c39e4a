/**
 * The rich-text operation type: Quill Deltas (quill-delta 5) used as operations and documents.
 *
 * Pure: no I/O, no framework imports. Every function treats its inputs as immutable.
 * Rules are numbered in ./SPEC.md and cited by the tests.
 */
import Delta from 'quill-delta';

export { Delta };

/** Which op wins when two inserts land at the same position: 'left' goes first. */
export type Side = 'left' | 'right';

/** Codes a caller may see when an op is refused; the same codes as the API's error codes. */
export type OtErrorCode = 'BAD_USER_INPUT' | 'PAYLOAD_TOO_LARGE';

/** Expected failures are values, never exceptions. */
export type Result<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly code: OtErrorCode; readonly message: string };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(code: OtErrorCode, message: string): Result<T> => ({ ok: false, code, message });

/** A document: a Delta made only of inserts, ending with a newline. */
export function emptyDocument(): Delta {
  return new Delta().insert('\n');
}

/** Length of the document an op expects: what it retains plus what it deletes. */
export function baseLength(op: Delta): number {
  let n = 0;
  for (const c of op.ops) {
    if (typeof c.retain === 'number') n += c.retain;
    else if (c.retain !== undefined) n += 1;
    else if (typeof c.delete === 'number') n += c.delete;
  }
  return n;
}

/**
 * Applies `op` to `doc`. Refuses an op that reaches past the end of the document
 * or that would leave the document without its final newline.
 */
export function apply(doc: Delta, op: Delta): Result<Delta> {
  const docLength = doc.length();
  const reach = baseLength(op);
  if (reach > docLength) {
    return fail('BAD_USER_INPUT', `The operation reaches position ${reach} but the document has only ${docLength} characters; fetch the latest version and rebase.`);
  }
  const next = doc.compose(op);
  if (!endsWithNewline(next)) {
    return fail('BAD_USER_INPUT', 'The operation would remove the final newline of the document; every document must end with "\\n".');
  }
  return ok(next);
}

/** True when the last character of a document is a newline. */
export function endsWithNewline(doc: Delta): boolean {
  const last = doc.ops[doc.ops.length - 1];
  return last !== undefined && typeof last.insert === 'string' && last.insert.endsWith('\n');
}

/**
 * Transforms `op` so it applies after `other` (both made against the same document).
 * `side` is `op`'s side: 'left' puts `op`'s insert first when both insert at one position.
 */
export function transform(op: Delta, other: Delta, side: Side): Delta {
  // quill-delta: a.transform(b, priority) transforms b against a; priority=true means a wins.
  return other.transform(op, side === 'right');
}

/** One op with the effect of `a` followed by `b`. */
export function compose(a: Delta, b: Delta): Delta {
  return a.compose(b);
}

/** The op that undoes `op` when applied after it; `doc` is the document `op` applied to. */
export function invert(op: Delta, doc: Delta): Delta {
  return op.invert(doc);
}

/** A cursor or selection: `index` and `length` in characters. */
export interface Selection {
  readonly index: number;
  readonly length: number;
}

/**
 * Moves a selection through an op made concurrently by someone else. `ownOp` is true when the op
 * is the selection owner's own edit, so that a caret at an insert point moves past the insert.
 */
export function transformSelection(selection: Selection, op: Delta, ownOp = false): Selection {
  const start = op.transformPosition(selection.index, !ownOp);
  const end = op.transformPosition(selection.index + selection.length, !ownOp);
  return { index: start, length: Math.max(0, end - start) };
}
