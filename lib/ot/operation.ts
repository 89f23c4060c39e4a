/**
 * The rich-text operation type: Quill Deltas (quill-delta 5) used as operations and documents.
 *
 * Pure: no I/O, no framework imports. Every function treats its inputs as immutable and returns
 * fresh Deltas. Rules are numbered in ./SPEC.md and cited by the tests.
 *
 * Trust boundary: `validateOp` / `validateDocument` turn untrusted values into Deltas; the
 * functions here take Deltas that passed them (or came out of this module) and do not re-check
 * their shape. Whether an op fits a document is checked by `apply` (and `invert`).
 */
import Delta from 'quill-delta';
import { checkApplicable, measureFit } from './applicable.ts';
import { DEFAULT_LIMITS, type Limits } from './limits.ts';
import { fail, ok, type Result } from './result.ts';
import type { Selection } from './validate.ts';

export { Delta };

/** A copy of a JSON value (what ops hold once validated): plain objects, arrays and primitives. */
function cloneJson<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(cloneJson) as T;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) copy[key] = cloneJson((value as Record<string, unknown>)[key]);
  return copy as T;
}

/** Whether two JSON values are equal (attribute maps): what lodash.isEqual answers for them. */
function equalJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  if (keysA.length !== Object.keys(b).length) return false;
  return keysA.every((key) => Object.hasOwn(b, key) && equalJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

// quill-delta's `push` (which transform, compose, apply and every builder call) copies each op with
// lodash.clonedeep and compares attributes with lodash.isequal: generic code for any value, and most
// of a large op's transform time and garbage [PL8]. Ops are JSON, so the same steps with a JSON
// copy and comparison give the same Deltas; the logic below is quill-delta 5's `push`, unchanged.
type Op = Delta['ops'][number];
/** quill-delta's own `push`, kept for the test that ours builds the same Deltas (tests/property/ot-push.test.ts). */
export const quillDeltaPush: (this: Delta, op: Op) => Delta = Delta.prototype.push;
Delta.prototype.push = function push(this: Delta, given: Op): Delta {
  let index = this.ops.length;
  let lastOp = this.ops[index - 1];
  const newOp = cloneJson(given);
  if (typeof lastOp === 'object') {
    if (typeof newOp.delete === 'number' && typeof lastOp.delete === 'number') {
      this.ops[index - 1] = { delete: lastOp.delete + newOp.delete };
      return this;
    }
    // Inserting before or after a delete at one index is the same: insert first.
    if (typeof lastOp.delete === 'number' && newOp.insert != null) {
      index -= 1;
      lastOp = this.ops[index - 1];
      if (typeof lastOp !== 'object') {
        this.ops.unshift(newOp);
        return this;
      }
    }
    if (equalJson(newOp.attributes, lastOp.attributes)) {
      if (typeof newOp.insert === 'string' && typeof lastOp.insert === 'string') {
        this.ops[index - 1] = typeof newOp.attributes === 'object' ? { insert: lastOp.insert + newOp.insert, attributes: newOp.attributes } : { insert: lastOp.insert + newOp.insert };
        return this;
      }
      if (typeof newOp.retain === 'number' && typeof lastOp.retain === 'number') {
        this.ops[index - 1] = typeof newOp.attributes === 'object' ? { retain: lastOp.retain + newOp.retain, attributes: newOp.attributes } : { retain: lastOp.retain + newOp.retain };
        return this;
      }
    }
  }
  if (index === this.ops.length) this.ops.push(newOp);
  else this.ops.splice(index, 0, newOp);
  return this;
};
export { checkApplicable } from './applicable.ts';
export { ALLOWED_ATTRIBUTES } from './attributes.ts';
export { diff } from './diff.ts';
export { DEFAULT_LIMITS, type Limits } from './limits.ts';
export { fail, ok, OtError, unwrap, type OtErrorCode, type Result } from './result.ts';
export { validateDocument, validateOp, validateSelection, type Selection } from './validate.ts';

/** Which op wins when two inserts land at the same position: 'left' goes first. */
export type Side = 'left' | 'right';

/** A document: a Delta made only of inserts, ending with a newline. The empty one is "\n". */
export function emptyDocument(): Delta {
  return new Delta().insert('\n');
}

/** Length of the document an op expects at least: what it retains plus what it deletes. */
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
 * Applies `op` to `doc` [OT5, OT6, OT7]. Refuses (`BAD_USER_INPUT`) an op that reaches past the end
 * of the document, deletes the final newline, inserts after it, or splits a surrogate pair; refuses
 * (`PAYLOAD_TOO_LARGE`) one that would make the document longer than `limits.maxDocumentLength`.
 * `doc` must be a valid document and `op` a validated op.
 */
export function apply(doc: Delta, op: Delta, limits: Limits = DEFAULT_LIMITS): Result<Delta> {
  const fits = measureFit(doc, op);
  if (!fits.ok) return fits;
  const nextLength = fits.value + op.changeLength();
  if (nextLength > limits.maxDocumentLength) {
    return fail('PAYLOAD_TOO_LARGE', `The operation would make the document ${nextLength} characters long; the limit is ${limits.maxDocumentLength}. Split the document or remove content first.`);
  }
  return ok(doc.compose(op));
}

/** True when the last character of a document is a newline. */
export function endsWithNewline(doc: Delta): boolean {
  const last = doc.ops[doc.ops.length - 1];
  return last !== undefined && typeof last.insert === 'string' && last.insert.endsWith('\n');
}

/**
 * Transforms `op` so it applies after `other` (both made against the same document) [OT1, OT6].
 * `side` is `op`'s side: 'left' puts `op`'s insert first when both insert at one position, and
 * for a format both ops set on the same text, the 'left' op's value wins.
 */
export function transform(op: Delta, other: Delta, side: Side): Delta {
  const mine = simpleEdit(op);
  const theirs = mine && simpleEdit(other);
  if (mine && theirs) return transformSimple(op, mine, theirs, side);
  return quillDeltaTransform(op, other, side);
}

/** quill-delta's transform, which `transform` gives the same Deltas as for validated ops (tests/property/ot-transform-simple.test.ts). */
export function quillDeltaTransform(op: Delta, other: Delta, side: Side): Delta {
  // quill-delta: a.transform(b, priority) transforms b against a; priority=true means a wins.
  return other.transform(op, side === 'right');
}

/**
 * One edit at one place: an optional plain retain, then one insert (any, with or without
 * attributes) or one delete. Typing and deleting are almost all such ops, and catching a
 * submission up transforms it over hundreds of them when a document is busy [PL8].
 */
interface SimpleEdit {
  /** Where it is: mutable, so carrying it over ops moves it in place (each `simpleEdit` call returns a fresh one). */
  at: number;
  /** Characters inserted (an embed counts 1), or 0 for a delete. */
  readonly inserted: number;
  /** Characters deleted, or 0 for an insert (mutable as `at`). */
  deleted: number;
  /** The insert component, for an insert. */
  readonly insert: Op | null;
}

function simpleEdit(delta: Delta): SimpleEdit | null {
  const ops = delta.ops;
  if (ops.length === 0 || ops.length > 2) return null;
  let at = 0;
  let edit = ops[0]!;
  if (ops.length === 2) {
    if (!positiveWhole(edit.retain) || edit.attributes !== undefined || edit.insert !== undefined || edit.delete !== undefined) return null;
    at = edit.retain;
    edit = ops[1]!;
  }
  if (edit.retain !== undefined) return null;
  if (edit.insert !== undefined) {
    // What validateOp lets through (a non-empty string or an embed object, attributes an object); anything else goes the general way.
    const text = typeof edit.insert === 'string';
    if ((text ? edit.insert === '' : typeof edit.insert !== 'object' || edit.insert === null) || edit.delete !== undefined) return null;
    if (edit.attributes !== undefined && (typeof edit.attributes !== 'object' || edit.attributes === null)) return null;
    return { at, inserted: text ? (edit.insert as string).length : 1, deleted: 0, insert: edit };
  }
  if (positiveWhole(edit.delete) && edit.attributes === undefined) return { at, inserted: 0, deleted: edit.delete, insert: null };
  return null;
}

const positiveWhole = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n > 0;

/** Whether `delta` is one edit at one place (see {@link transformOver}: carried over others of its kind by arithmetic). */
export function isSimpleEdit(delta: Delta): boolean {
  return simpleEdit(delta) !== null;
}

/** A copy of an insert or delete, keys in the order quill-delta's iterator gives them (attributes first). */
function copyOp(edit: Op): Op {
  if (edit.insert === undefined) return { delete: edit.delete! };
  return edit.attributes !== undefined ? { attributes: cloneJson(edit.attributes), insert: cloneJson(edit.insert) } : { insert: cloneJson(edit.insert) };
}

/**
 * `transform` for two simple edits, by arithmetic: the Deltas quill-delta's transform builds for
 * them (its walk over both ops, with our `push`), without the walk. `side` as in `transform`.
 * `simpleEdit` admits only components of the shapes `validateOp` lets through, so any other input
 * (which no caller passes) still goes to quill-delta.
 */
function transformSimple(op: Delta, mine: SimpleEdit, theirs: SimpleEdit, side: Side): Delta {
  const { at, deleted } = mine;
  const carried = carry(mine, theirs, side);
  if (carried === MOVED) return deltaOf(mine);
  if (carried === GONE) return new Delta([]);
  // `op` deletes [at, at + deleted) and their insert lands inside: the delete splits around the inserted text.
  const ops: Op[] = at > 0 ? [{ retain: at }] : [];
  ops.push({ delete: theirs.at - at }, { retain: theirs.inserted }, { delete: at + deleted - theirs.at });
  return new Delta(ops);
}

/** What {@link carry} did to a simple edit: moved or shortened it (still one simple edit), split it, or removed all of it. */
const MOVED = 0;
const SPLIT = 1;
const GONE = 2;

/**
 * Moves the simple edit `mine` (in place) to where it is after the simple edit `theirs` [OT1]: by
 * their insert before it, or through their delete (a delete of its own shortened by the overlap);
 * or says it splits (their insert lands inside its delete; `mine` is left as it was) or is gone
 * (their delete covered its whole delete). The arithmetic of {@link transformSimple}, with no Delta built.
 */
function carry(mine: SimpleEdit, theirs: SimpleEdit, side: Side): typeof MOVED | typeof SPLIT | typeof GONE {
  if (theirs.insert) {
    if (mine.insert) {
      // Inserts at one place: theirs first when `op` is on the right [OT1].
      if (mine.at > theirs.at || (mine.at === theirs.at && side === 'right')) mine.at += theirs.inserted;
      return MOVED;
    }
    // `op` deletes [mine.at, end): their insert before or at its start moves it, one after its end
    // leaves it, one inside splits it around the inserted text.
    if (theirs.at <= mine.at) mine.at += theirs.inserted;
    else if (theirs.at < mine.at + mine.deleted) return SPLIT;
    return MOVED;
  }
  // They delete [theirs.at, theirEnd).
  if (!mine.insert) {
    const overlap = Math.min(mine.at + mine.deleted, theirs.at + theirs.deleted) - Math.max(mine.at, theirs.at);
    if (overlap >= mine.deleted) return GONE;
    if (overlap > 0) mine.deleted -= overlap;
  }
  mine.at = throughDelete(mine.at, theirs);
  return MOVED;
}

/** The Delta of a simple edit. */
function deltaOf(edit: SimpleEdit): Delta {
  return editAt(edit.at, edit.insert ?? { delete: edit.deleted });
}

/**
 * `op` transformed over `others[from]`, …, `others[to - 1]` in order, each on `side` [OT1]: the
 * Delta that calling `transform` once per op gives. While `op` and the ops it passes are simple
 * edits (typing and deleting, most of a busy document's ops) it is carried by arithmetic alone,
 * with one Delta built at the end rather than one per op: catching a keystroke up over hundreds of
 * others then costs a few comparisons each [PL8]. A delete split by an insert inside it, or removed
 * by a delete, goes on the general way. An empty range gives `op` itself.
 */
export function transformOver(op: Delta, others: readonly { readonly delta: Delta }[], from: number, to: number, side: Side): Delta {
  let delta = op;
  let mine = simpleEdit(op);
  let moved = false; // whether `mine` has moved past `delta`
  for (let i = from; i < to; i++) {
    const other = others[i]!.delta;
    if (mine) {
      const theirs = simpleEdit(other);
      if (theirs && carry(mine, theirs, side) === MOVED) {
        moved = true;
        continue;
      }
      // Split or gone (`mine` as it was): the general way below builds that.
    }
    if (moved) delta = deltaOf(mine!);
    moved = false;
    delta = transform(delta, other, side);
    mine = simpleEdit(delta);
  }
  return moved ? deltaOf(mine!) : delta;
}

// transformSimple's helpers live at module level: run under tsx (esbuild's keepNames), a closure
// declared inside a function is renamed with Object.defineProperty at every call, and
// transformSimple runs hundreds of thousands of times a second on a busy document [PL8].

/** `edit` at `position` (after a retain of it, if any). */
function editAt(position: number, edit: Op): Delta {
  return new Delta(position > 0 ? [{ retain: position }, copyOp(edit)] : [copyOp(edit)]);
}

/** Where `position` lands after `theirs`, a delete: positions inside the deleted range collapse to its start. */
function throughDelete(position: number, theirs: SimpleEdit): number {
  if (position <= theirs.at) return position;
  return position >= theirs.at + theirs.deleted ? position - theirs.deleted : theirs.at;
}

/** One op with the effect of `a` followed by `b` [OT2]. `b` must be made against the result of `a`. */
export function compose(a: Delta, b: Delta): Delta {
  return a.compose(b);
}

/**
 * The op that undoes `op` when applied after it [OT3]; `doc` is the document `op` applied to.
 * Throws a RangeError when `op` does not fit `doc`: that is a bug in the caller, not user input.
 */
export function invert(op: Delta, doc: Delta): Delta {
  const fits = checkApplicable(doc, op);
  if (!fits.ok) throw new RangeError(`invert: ${fits.message}`);
  return op.invert(doc);
}

/**
 * Moves a selection through an op made concurrently by someone else [OT4]. `ownOp` is true when
 * the op is the selection owner's own edit, so that a caret at an insert point moves past the
 * insert. A selection inside the op's base document stays inside the resulting document; negative
 * or fractional input is clamped to whole positions ≥ 0 first.
 */
export function transformSelection(selection: Selection, op: Delta, ownOp = false): Selection {
  const index = wholeOrZero(selection.index);
  const length = wholeOrZero(selection.length);
  const start = op.transformPosition(index, !ownOp);
  const end = op.transformPosition(index + length, !ownOp);
  return { index: start, length: Math.max(0, end - start) };
}

function wholeOrZero(n: number): number {
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}
