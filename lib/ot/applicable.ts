/**
 * Whether an op fits a document (./SPEC.md, OT5 and OT6): it reaches no further than the
 * document, keeps the final newline as the last character, and puts no component boundary
 * inside a surrogate pair.
 */
import type Delta from 'quill-delta';
import { fail, ok, type Result } from './result.ts';

/** The document as one string, an embed standing for one code unit (U+FFFC). */
export function documentText(doc: Delta): string {
  return doc.ops.map((op) => (typeof op.insert === 'string' ? op.insert : '\uFFFC')).join('');
}

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/**
 * Answers "does position p fall between the two halves of a surrogate pair?" for non-decreasing
 * p, walking the document once however many positions are asked about.
 */
class PairProbe {
  private opIndex = 0;
  private opStart = 0;

  constructor(private readonly doc: Delta) {}

  splitsPair(p: number): boolean {
    if (p <= 0) return false;
    const ops = this.doc.ops;
    let op = ops[this.opIndex];
    // Walk to the component holding p - 1; positions only grow, so the walk is shared.
    while (op !== undefined && this.opStart + lengthOf(op.insert) <= p - 1) {
      this.opStart += lengthOf(op.insert);
      op = ops[++this.opIndex];
    }
    if (op === undefined || typeof op.insert !== 'string') return false;
    const before = op.insert.charCodeAt(p - 1 - this.opStart);
    if (!isHigh(before)) return false;
    const inSame = p - this.opStart;
    const after =
      inSame < op.insert.length ? op.insert.charCodeAt(inSame) : firstUnit(ops[this.opIndex + 1]?.insert);
    return isLow(after);
  }
}

function lengthOf(insert: unknown): number {
  return typeof insert === 'string' ? insert.length : 1;
}

function firstUnit(insert: unknown): number {
  return typeof insert === 'string' ? insert.charCodeAt(0) : 0;
}

/**
 * Checks that `op` can be applied to `doc` (a valid document): the op reaches at most
 * `doc.length()`, never deletes the final newline, inserts nothing after it, and has no component
 * boundary inside a surrogate pair. Fails with `BAD_USER_INPUT` and a message naming the component.
 */
export function checkApplicable(doc: Delta, op: Delta): Result<void> {
  const fits = measureFit(doc, op);
  return fits.ok ? ok(undefined) : fits;
}

/** A position inside a surrogate pair (at module level: under tsx a closure declared per call is renamed per call). */
function splits(i: number, p: number) {
  return fail('BAD_USER_INPUT', `ops[${i}]: position ${p} falls inside a surrogate pair (one emoji or symbol is two UTF-16 code units); move the edit by one position.`);
}

/** `checkApplicable` that also returns `doc.length()`, so `apply` walks the document once less. */
export function measureFit(doc: Delta, op: Delta): Result<number> {
  const length = doc.length();
  const probe = new PairProbe(doc);
  let pos = 0;
  for (const [i, c] of op.ops.entries()) {
    if (probe.splitsPair(pos)) return splits(i, pos);
    if (c.insert !== undefined) {
      if (pos >= length) {
        return fail('BAD_USER_INPUT', `ops[${i}]: inserts at position ${pos}, after the final newline (document length ${length}); insert before it instead.`);
      }
      continue;
    }
    const n = typeof c.retain === 'number' ? c.retain : typeof c.delete === 'number' ? c.delete : 1;
    if (pos + n > length) {
      return fail('BAD_USER_INPUT', `ops[${i}]: the op reaches position ${pos + n} but the document has only ${length} characters; fetch the latest version and rebase the op.`);
    }
    if (c.delete !== undefined && pos + n === length) {
      return fail('BAD_USER_INPUT', `ops[${i}]: the op deletes the document's final newline (position ${length - 1}); every document keeps its final "\\n", so delete up to position ${length - 1} and keep it.`);
    }
    pos += n;
  }
  if (probe.splitsPair(pos)) return splits(op.ops.length - 1, pos);
  return ok(length);
}
