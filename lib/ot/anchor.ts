/**
 * Anchors: a range of a document's text that moves with every edit (comment threads, issue 17).
 * Rules AN1 to AN8 in ./SPEC.md; tests cite them.
 *
 * Pure: no I/O, no framework imports, usable by the server and the browser alike. A range is
 * carried over ops one at a time, in the server's order (AN5, AN6): carrying over a composed op,
 * or in another order, can give another answer.
 *
 * Ops are canonical (every op lib/ot returns or validates is, OT9): at one position, inserts come
 * before deletes. The rules are stated in positions of each op's base document.
 */
import type Delta from 'quill-delta';
import { documentText } from './applicable.ts';
import { fail, ok, type Result } from './result.ts';

/** A non-empty span of text: `index` and `length` in UTF-16 code units (an embed counts 1). */
export interface TextRange {
  readonly index: number;
  readonly length: number;
}

/** A range at a version: `range` refers to the document after `version` ops; null once all of its text is deleted (AN4). */
export interface Anchor {
  readonly range: TextRange | null;
  readonly version: number;
}

/** One applied op of a document's log: the op that produced `version` from `version - 1`. */
export interface VersionedOp {
  readonly version: number;
  readonly delta: Delta;
}

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/** True when position `p` of `text` falls between the two halves of a surrogate pair. */
function splitsPair(text: string, p: number): boolean {
  return p > 0 && p < text.length && isHigh(text.charCodeAt(p - 1)) && isLow(text.charCodeAt(p));
}

/**
 * Checks a range someone wants to anchor to `doc` (a valid document) [AN1]: `index` a whole number
 * ≥ 0, `length` a whole number ≥ 1, the range inside the document, and neither end inside a
 * surrogate pair. Fails with `BAD_USER_INPUT` and a message saying what to send instead.
 */
export function validateRange(doc: Delta, index: unknown, length: unknown): Result<TextRange> {
  if (!Number.isSafeInteger(index) || (index as number) < 0) {
    return fail('BAD_USER_INPUT', `The range's index must be a whole number ≥ 0; got ${String(index)}.`);
  }
  if (!Number.isSafeInteger(length) || (length as number) < 1) {
    return fail('BAD_USER_INPUT', `The range's length must be a whole number ≥ 1 (select some text to comment on); got ${String(length)}.`);
  }
  const start = index as number;
  const end = start + (length as number);
  const docLength = doc.length();
  if (end > docLength) {
    return fail('BAD_USER_INPUT', `The range ${start}..${end} reaches past the end of the document (length ${docLength} at that version); select text inside the document.`);
  }
  // Only the text around the two ends matters; slicing keeps this cheap on long documents.
  const around = (p: number) => documentText(doc.slice(Math.max(0, p - 1), p + 1));
  if ((start > 0 && splitsPair(around(start), 1)) || (end < docLength && splitsPair(around(end), 1))) {
    return fail('BAD_USER_INPUT', `The range ${start}..${end} cuts a character in half (an emoji or symbol is two UTF-16 code units); move its ends by one.`);
  }
  return ok({ index: start, length: end - start });
}

/** The text of `range` in `doc`, an embed standing for U+FFFC [AN8]. The range must lie inside `doc`. */
export function rangeText(doc: Delta, range: TextRange): string {
  return documentText(doc.slice(range.index, range.index + range.length));
}

/**
 * Carries `range` over one op made against the document the range refers to [AN2, AN3, AN4].
 * With `start` and `end` the range's ends and `p` the base position of an insert: `start < p < end`
 * joins the range; `p ≤ start` moves it right; `p ≥ end` leaves it. Deleted characters leave the
 * range; deleted characters before it move it left. Answers null when none of its text is left.
 * Formatting never moves a range. Reads the op only up to the range's end.
 */
export function carryRange(range: TextRange, op: Delta): TextRange | null {
  const start = range.index;
  const end = range.index + range.length;
  let pos = 0;
  let shift = 0;
  let grow = 0;
  for (const c of op.ops) {
    // Nothing at or after the range's end can move it: an insert there lands outside (AN2).
    if (pos >= end) break;
    if (c.insert !== undefined) {
      const n = typeof c.insert === 'string' ? c.insert.length : 1;
      if (pos <= start) shift += n;
      else grow += n;
      continue;
    }
    const n = typeof c.retain === 'number' ? c.retain : typeof c.delete === 'number' ? c.delete : 1;
    if (c.delete !== undefined) {
      shift -= Math.max(0, Math.min(pos + n, start) - pos);
      grow -= Math.max(0, Math.min(pos + n, end) - Math.max(pos, start));
    }
    pos += n;
  }
  const length = range.length + grow;
  return length > 0 ? { index: start + shift, length } : null;
}

/**
 * Carries `anchor` to the version of the last op of `ops` [AN5]. `ops` are consecutive and
 * ascending (a page of a document's log); those at or below `anchor.version` are skipped, so one
 * page serves anchors of different versions. A null range stays null and only its version moves
 * (AN4). Throws a RangeError when `ops` leave a gap after `anchor.version`: a caller's bug.
 */
export function carryAnchor(anchor: Anchor, ops: readonly VersionedOp[]): Anchor {
  let { range, version } = anchor;
  for (const op of ops) {
    if (op.version <= version) continue;
    if (op.version !== version + 1) {
      throw new RangeError(`carryAnchor: the anchor is at version ${version} but the next op given is ${op.version}; pass every op after it, in order.`);
    }
    if (range !== null) range = carryRange(range, op.delta);
    version = op.version;
  }
  return range === anchor.range && version === anchor.version ? anchor : { range, version };
}
