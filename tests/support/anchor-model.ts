/**
 * A simple model of anchors (lib/ot/SPEC.md AN2–AN4) for property tests and the fuzz: one mark
 * per character ("in the range or not"), an op applied one component at a time at a moving
 * cursor, and inserted characters marked when the cursor has a marked character on each side.
 * It shares no code with lib/ot/anchor.ts, which computes the same thing with arithmetic.
 */
import { expect } from 'vitest';
import { validateRange, type TextRange, type VersionedOp } from '../../lib/ot/anchor.ts';
import type { Delta } from '../../lib/ot/operation.ts';
import { documentText } from '../../lib/ot/random-op.ts';

/** Carries `range` over `op`, made against a document of `length` characters. */
export function modelCarry(length: number, range: TextRange | null, op: Delta): TextRange | null {
  const marks = Array.from({ length }, (_, i) => range !== null && i >= range.index && i < range.index + range.length);
  let cursor = 0;
  for (const c of op.ops) {
    if (c.insert !== undefined) {
      const n = typeof c.insert === 'string' ? c.insert.length : 1;
      const inside = marks.slice(0, cursor).includes(true) && marks.slice(cursor).includes(true);
      marks.splice(cursor, 0, ...Array.from({ length: n }, () => inside));
      cursor += n;
    } else if (typeof c.delete === 'number') {
      marks.splice(cursor, c.delete);
    } else {
      cursor += typeof c.retain === 'number' ? c.retain : 1;
    }
  }
  const first = marks.indexOf(true);
  if (first < 0) return null;
  const last = marks.lastIndexOf(true);
  expect(marks.slice(first, last + 1).every(Boolean), 'the model keeps a range in one piece').toBe(true);
  return { index: first, length: last - first + 1 };
}

/**
 * Carries `range` (at the document `docs[from]`) over `log` up to version `to`; `docs[v]` is the
 * document after v ops, `log[v - 1]` the op producing it.
 */
export function modelCarryOver(docs: readonly Delta[], log: readonly VersionedOp[], range: TextRange | null, from: number, to: number): TextRange | null {
  let current = range;
  for (let v = from + 1; v <= to; v += 1) current = modelCarry(docs[v - 1]!.length(), current, log[v - 1]!.delta);
  return current;
}

/** True when position `p` of `doc` falls between the two halves of a surrogate pair. */
export function isPairMiddle(doc: Delta, p: number): boolean {
  const text = documentText(doc);
  return p > 0 && p < text.length && /[\uD800-\uDBFF]/.test(text[p - 1]!) && /[\uDC00-\uDFFF]/.test(text[p]!);
}

/** A valid range of `doc` (AN1) picked by two fractions, nudged off surrogate pairs. */
export function pickRange(doc: Delta, at: number, span: number): TextRange | null {
  const length = doc.length();
  let start = Math.floor(at * length);
  if (isPairMiddle(doc, start)) start += 1;
  let end = Math.min(length, start + 1 + Math.floor(span * (length - start)));
  if (isPairMiddle(doc, end)) end += 1;
  const checked = validateRange(doc, start, end - start);
  return checked.ok ? checked.value : null;
}

