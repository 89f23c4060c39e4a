/** Edge cases of lib/ot/operation.ts, by rule of lib/ot/SPEC.md. */
import { describe, expect, it } from 'vitest';
import { apply, baseLength, compose, Delta, diff, emptyDocument, endsWithNewline, invert, transform, transformSelection, type Result } from '../../lib/ot/operation.ts';

const doc = (text: string) => new Delta().insert(text);
const message = (r: Result<unknown>) => (r.ok ? 'applied' : `${r.code}: ${r.message}`);

describe('apply', () => {
  it('[OT5] refuses an op past the end, naming the position and what to do', () => {
    expect(message(apply(doc('ab\n'), new Delta().retain(2).delete(3)))).toBe(
      'BAD_USER_INPUT: ops[1]: the op reaches position 5 but the document has only 3 characters; fetch the latest version and rebase the op.',
    );
  });

  it('[OT5] refuses deleting the final newline even when another newline would end the document', () => {
    // Allowing it breaks OT6: concurrently deleting either of the two trailing newlines of
    // "a\n\n" is fine alone, but the transformed pair deletes both.
    expect(message(apply(doc('a\n\n'), new Delta().retain(2).delete(1)))).toMatch(/deletes the document's final newline \(position 2\)/);
    expect(apply(doc('a\n\n'), new Delta().retain(1).delete(1)).ok).toBe(true);
  });

  it('[OT5] refuses an insert after the final newline, and allows formatting the final newline', () => {
    expect(message(apply(doc('a\n'), new Delta().retain(2).insert('x')))).toMatch(/ops\[1\]: inserts at position 2, after the final newline/);
    const r = apply(doc('a\n'), new Delta().retain(1).retain(1, { header: 1 }));
    expect(r.ok && r.value.ops).toEqual([{ insert: 'a' }, { insert: '\n', attributes: { header: 1 } }]);
  });

  it('[OT6] refuses splitting a surrogate pair and allows edits around it, across component borders', () => {
    const d = new Delta().insert('a😀', { bold: true }).insert('😀\n');
    expect(message(apply(d, new Delta().retain(2).insert('x')))).toMatch(/position 2 falls inside a surrogate pair/);
    expect(message(apply(d, new Delta().retain(1).delete(1)))).toMatch(/position 2 falls inside a surrogate pair/);
    expect(message(apply(d, new Delta().retain(4).delete(1)))).toMatch(/position 4 falls inside a surrogate pair/);
    const r = apply(d, new Delta().retain(3).delete(2).insert('é'));
    expect(r.ok && r.value.ops).toEqual([{ insert: 'a😀', attributes: { bold: true } }, { insert: 'é\n' }]);
  });

  it('[OT7] refuses growing the document past maxDocumentLength with PAYLOAD_TOO_LARGE', () => {
    const limits = { maxComponents: 10, maxInsertLength: 10, maxDocumentLength: 5, maxLinkLength: 10 };
    expect(message(apply(doc('abc\n'), new Delta().insert('xy'), limits))).toBe(
      'PAYLOAD_TOO_LARGE: The operation would make the document 6 characters long; the limit is 5. Split the document or remove content first.',
    );
    expect(apply(doc('abc\n'), new Delta().insert('x'), limits).ok).toBe(true);
  });

  it('[OT0] leaves its inputs untouched', () => {
    const d = doc('hello\n');
    const op = new Delta().retain(1, { bold: true }).insert('x');
    const before = JSON.stringify([d, op]);
    apply(d, op);
    invert(op, d);
    transform(op, op, 'left');
    compose(op, op);
    expect(JSON.stringify([d, op])).toBe(before);
  });
});

describe('invert, diff, transform, selections', () => {
  it('[OT3] invert throws (a bug, not input) when the op does not fit the document', () => {
    expect(() => invert(new Delta().retain(5).delete(1), doc('ab\n'))).toThrow(RangeError);
  });

  it('[OT3] invert restores removed text with its attributes and removes added formats', () => {
    const d = new Delta().insert('ab', { italic: true }).insert('c\n');
    const op = new Delta().delete(1).retain(2, { bold: true });
    expect(invert(op, d).ops).toEqual([{ insert: 'a', attributes: { italic: true } }, { retain: 2, attributes: { bold: null } }]);
  });

  it('[OT1] side decides which concurrent insert goes first', () => {
    const a = new Delta().insert('A');
    const b = new Delta().insert('B');
    expect(transform(a, b, 'left').ops).toEqual([{ insert: 'A' }]);
    expect(transform(a, b, 'right').ops).toEqual([{ retain: 1 }, { insert: 'A' }]);
  });

  it('[OT10] diff formats the final newline instead of replacing it', () => {
    expect(diff(doc('a\n'), new Delta().insert('a').insert('\n', { header: 1 })).ops).toEqual([{ retain: 1 }, { retain: 1, attributes: { header: 1 } }]);
    expect(diff(doc('a\n'), doc('a\n')).ops).toEqual([]);
  });

  it('[OT4] clamps a negative or fractional selection before moving it', () => {
    const op = new Delta().insert('xy');
    expect(transformSelection({ index: -3, length: Number.NaN }, op)).toEqual({ index: 0, length: 0 });
    expect(transformSelection({ index: 1.7, length: 1 }, op)).toEqual({ index: 3, length: 1 });
  });

  it('emptyDocument is "\\n"; baseLength counts retains and deletes; endsWithNewline looks at the last insert', () => {
    expect(emptyDocument().ops).toEqual([{ insert: '\n' }]);
    expect(baseLength(new Delta().retain(2).insert('abc').delete(3))).toBe(5);
    expect(endsWithNewline(doc('a\n'))).toBe(true);
    expect(endsWithNewline(new Delta().insert('\n').insert({ image: 'https://a.test/i.png' }))).toBe(false);
  });
});
