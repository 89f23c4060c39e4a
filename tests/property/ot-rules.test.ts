/** Property tests: one or more per rule of lib/ot/SPEC.md, named after the rule. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  apply,
  compose,
  Delta,
  diff,
  invert,
  transform,
  transformSelection,
  validateOp,
} from '../../lib/ot/operation.ts';
import { buildOp, documentText } from '../../lib/ot/random-op.ts';
import { richText } from '../../lib/ot/rich-text.ts';
import { concurrentArb, docArb, opArb, sequenceArb } from './ot-arbitraries.ts';
import { applyOk, expectOk, expectSameDelta, expectValidDocument, expectValidOpFor } from './ot-support.ts';

const sides = fc.constantFrom('left' as const, 'right' as const);
const other = (side: 'left' | 'right') => (side === 'left' ? 'right' : 'left');

describe('lib/ot rules (properties)', () => {
  it('[OT1] TP1: both orders of two concurrent ops converge, for either tie-break', () => {
    fc.assert(
      fc.property(concurrentArb, sides, ({ doc, a, b }, side) => {
        const viaA = applyOk(applyOk(doc, a), transform(b, a, other(side)));
        const viaB = applyOk(applyOk(doc, b), transform(a, b, side));
        expectSameDelta(viaA, viaB);
      }),
    );
  });

  it('[OT1] TP1 holds through the ottypes object with JSON inputs', () => {
    fc.assert(
      fc.property(concurrentArb, ({ doc, a, b }) => {
        const json = (d: Delta) => JSON.parse(JSON.stringify(d)) as unknown;
        const viaA = richText.apply(richText.apply(json(doc), json(a)), richText.transform(json(b), json(a), 'right'));
        const viaB = richText.apply(richText.apply(json(doc), json(b)), richText.transform(json(a), json(b), 'left'));
        expect(richText.serialize(viaA)).toEqual(richText.serialize(viaB));
      }),
    );
  });

  it('[OT2] applying a then b equals applying compose(a, b)', () => {
    fc.assert(
      fc.property(sequenceArb(2), ({ doc, plans: [p1 = [], p2 = []] }) => {
        const a = buildOp(doc, p1);
        const mid = applyOk(doc, a);
        const b = buildOp(mid, p2);
        const composed = compose(a, b);
        expectValidOpFor(doc, composed);
        expectSameDelta(applyOk(doc, composed), applyOk(mid, b));
      }),
    );
  });

  it('[OT2] compose is associative in effect', () => {
    fc.assert(
      fc.property(sequenceArb(3), ({ doc, plans: [p1 = [], p2 = [], p3 = []] }) => {
        const a = buildOp(doc, p1);
        const d1 = applyOk(doc, a);
        const b = buildOp(d1, p2);
        const c = buildOp(applyOk(d1, b), p3);
        expectSameDelta(applyOk(doc, compose(compose(a, b), c)), applyOk(doc, compose(a, compose(b, c))));
      }),
    );
  });

  it('[OT3] invert(op, doc) applied after op restores doc, and fits the new document', () => {
    fc.assert(
      fc.property(
        docArb.chain((doc) => fc.tuple(fc.constant(doc), opArb(doc))),
        ([doc, op]) => {
          const after = applyOk(doc, op);
          const inverse = invert(op, doc);
          expectValidOpFor(after, inverse);
          expectSameDelta(applyOk(after, inverse), doc);
          expectSameDelta(applyOk(doc, compose(op, inverse)), doc);
        },
      ),
    );
  });

  it('[OT4] a selection inside the document stays inside it after any op, own or remote', () => {
    const arb = docArb.chain((doc) =>
      fc.record({
        doc: fc.constant(doc),
        op: opArb(doc),
        index: fc.nat({ max: doc.length() }),
        length: fc.nat({ max: doc.length() }),
        own: fc.boolean(),
      }),
    );
    fc.assert(
      fc.property(arb, ({ doc, op, index, length, own }) => {
        const selection = { index, length: Math.min(length, doc.length() - index) };
        const after = applyOk(doc, op).length();
        const moved = transformSelection(selection, op, own);
        expect(Number.isInteger(moved.index) && Number.isInteger(moved.length)).toBe(true);
        expect(moved.index).toBeGreaterThanOrEqual(0);
        expect(moved.length).toBeGreaterThanOrEqual(0);
        expect(moved.index + moved.length).toBeLessThanOrEqual(after);
      }),
    );
  });

  it('[OT4] a caret moves past its own insert and stays before a remote insert at the same place', () => {
    fc.assert(
      fc.property(docArb, fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (doc, at) => {
        const op = buildOp(doc, [{ kind: 'insert', at, content: 'xy' }]);
        const caret = op.ops[0]?.retain;
        const index = typeof caret === 'number' ? caret : 0;
        expect(transformSelection({ index, length: 0 }, op, true)).toEqual({ index: index + 2, length: 0 });
        expect(transformSelection({ index, length: 0 }, op, false)).toEqual({ index, length: 0 });
      }),
    );
  });

  it('[OT5] apply always yields a valid canonical document ending with a newline', () => {
    fc.assert(
      fc.property(sequenceArb(4), ({ doc, plans }) => {
        let current = doc;
        for (const plan of plans) {
          current = applyOk(current, buildOp(current, plan));
          expectValidDocument(current);
        }
      }),
    );
  });

  it('[OT5] apply refuses ops that delete the final newline, insert after it, or reach past the end', () => {
    fc.assert(
      fc.property(docArb, fc.nat({ max: 5 }), (doc, extra) => {
        const n = doc.length();
        for (const op of [
          new Delta().retain(n - 1).delete(1),
          new Delta().delete(n),
          new Delta().retain(n).insert('x'),
          new Delta().retain(n + 1 + extra),
          new Delta().retain(n - 1).delete(2 + extra),
        ]) {
          const result = apply(doc, op);
          expect(result.ok ? 'applied' : result.code).toBe('BAD_USER_INPUT');
        }
      }),
    );
  });

  it('[OT6] an op split inside a surrogate pair is refused', () => {
    fc.assert(
      fc.property(docArb, (doc) => {
        const text = documentText(doc);
        const inside = [...text.matchAll(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g)].map((m) => (m.index ?? 0) + 1);
        for (const p of inside) {
          for (const op of [new Delta().retain(p).insert('x'), new Delta().retain(p).delete(1), new Delta().retain(p, { bold: true })]) {
            const result = apply(doc, op);
            expect(result.ok ? 'applied' : result.message).toMatch(/surrogate pair/);
          }
        }
      }),
    );
  });

  it('[OT6] transform of an op valid on the document is valid on the other op\'s result', () => {
    fc.assert(
      fc.property(concurrentArb, sides, ({ doc, a, b }, side) => {
        expectValidOpFor(applyOk(doc, b), transform(a, b, side));
      }),
    );
  });

  it('[OT9] validation canonicalises without changing meaning, and is idempotent', () => {
    const arb = docArb.chain((doc) => fc.tuple(fc.constant(doc), opArb(doc), fc.boolean()));
    fc.assert(
      fc.property(arb, ([doc, op, asArray]) => {
        // A non-canonical spelling of op: every component split in two where that keeps text
        // well-formed, plus a trailing plain retain.
        const spelled: Record<string, unknown>[] = [];
        for (const c of op.ops) {
          if (typeof c.insert === 'string' && c.insert.length > 1 && !/[\uDC00-\uDFFF]/.test(c.insert.charAt(1))) {
            spelled.push({ ...c, insert: c.insert.slice(0, 1) }, { ...c, insert: c.insert.slice(1) });
          } else if (typeof c.retain === 'number' && c.retain > 1) {
            spelled.push({ ...c, retain: 1 }, { ...c, retain: c.retain - 1 });
          } else spelled.push({ ...c });
        }
        spelled.push({ retain: 3 });
        const validated = expectOk(validateOp(asArray ? spelled : { ops: spelled }));
        expectSameDelta(validated, op);
        expectSameDelta(expectOk(validateOp(validated)), validated);
        expectSameDelta(applyOk(doc, validated), applyOk(doc, op));
      }),
    );
  });

  it('[OT10] diff(a, b) fits a and turns it into b', () => {
    const related = docArb.chain((doc) => fc.tuple(fc.constant(doc), opArb(doc).map((op) => applyOk(doc, op))));
    fc.assert(
      fc.property(fc.oneof(related, fc.tuple(docArb, docArb)), ([from, to]) => {
        const d = diff(from, to);
        expectValidOpFor(from, d);
        expectSameDelta(applyOk(from, d), to);
      }),
    );
  });

  it('[OT11] serialize/deserialize round-trips through JSON and shares nothing', () => {
    fc.assert(
      fc.property(docArb, (doc) => {
        const data = richText.serialize(doc);
        const back = richText.deserialize(JSON.parse(JSON.stringify(data)));
        expectSameDelta(back, doc);
        expect(data.ops.every((op, i) => op !== doc.ops[i])).toBe(true);
      }),
    );
  });
});
