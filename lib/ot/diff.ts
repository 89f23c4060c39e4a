/**
 * The op turning one document into another (./SPEC.md, OT10), built on quill-delta's diff but
 * guaranteed to fit the base document: it keeps the final newline and splits no surrogate pair.
 */
import Delta, { AttributeMap } from 'quill-delta';
import { checkApplicable, documentText } from './applicable.ts';

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

function lastAttributes(doc: Delta): AttributeMap | undefined {
  return doc.ops[doc.ops.length - 1]?.attributes;
}

function opBaseLength(op: Delta): number {
  return op.reduce((n, c) => n + (typeof c.retain === 'number' ? c.retain : typeof c.delete === 'number' ? c.delete : 0), 0);
}

/** `op` padded with plain retains to cover exactly `length` characters, then `tail` appended. */
function padded(op: Delta, length: number, tail: Delta = new Delta()): Delta {
  return op.retain(length - opBaseLength(op)).concat(tail);
}

/**
 * Same effect as quill-delta's diff of two texts, but the changed middle (between the longest
 * common prefix and suffix, cut at code point boundaries) is replaced whole. Used only when
 * fast-diff's result splits a surrogate pair, which it does when a change is a rotation of
 * code units (found by [OT10]: "ߌ\u{1D158}\u{1D165}" -> "ߌ\u{1D165}").
 */
function coarseDiff(from: Delta, to: Delta): Delta {
  const a = documentText(from);
  const b = documentText(to);
  const max = Math.min(a.length, b.length);
  let pre = 0;
  while (pre < max && a.charCodeAt(pre) === b.charCodeAt(pre)) pre++;
  if (pre > 0 && isHigh(a.charCodeAt(pre - 1))) pre--;
  let suf = 0;
  while (suf < max - pre && a.charCodeAt(a.length - 1 - suf) === b.charCodeAt(b.length - 1 - suf)) suf++;
  if (suf > 0 && isLow(a.charCodeAt(a.length - suf))) suf--;
  // Inside the common prefix and suffix the text is equal, so quill-delta's diff yields only
  // attribute-changing retains there, aligned with the documents' own (whole code point) runs.
  const head = from.slice(0, pre).diff(to.slice(0, pre));
  const tail = from.slice(a.length - suf).diff(to.slice(b.length - suf));
  const middle = new Delta(to.slice(pre, b.length - suf).ops).delete(a.length - suf - pre);
  return padded(padded(head, pre, middle), a.length - suf, tail).chop();
}

/**
 * The op turning document `from` into document `to`; both must be valid documents. The result
 * fits `from` (keeps its final newline, changing only that newline's attributes) and applying it
 * gives `to`.
 */
export function diff(from: Delta, to: Delta): Delta {
  const fromBody = from.slice(0, from.length() - 1);
  const toBody = to.slice(0, to.length() - 1);
  // Diffing the bodies apart: quill-delta may match the final "\n" of `to` with an earlier
  // newline of `from` and delete the last one (found by [OT10]: "\n\n" -> "\n").
  let body = fromBody.diff(toBody);
  if (!checkApplicable(from, body).ok) body = coarseDiff(fromBody, toBody);
  const finalFormat = AttributeMap.diff(lastAttributes(from), lastAttributes(to));
  return padded(body, fromBody.length()).retain(1, finalFormat).chop();
}
