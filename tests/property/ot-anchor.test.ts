/**
 * Properties of anchors (lib/ot/SPEC.md AN2–AN7) against the character-marking model of
 * tests/support/anchor-model.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { carryAnchor, carryRange, type TextRange } from '../../lib/ot/anchor.ts';
import type { Delta } from '../../lib/ot/operation.ts';
import { buildOp } from '../../lib/ot/random-op.ts';
import { docArb, opArb, sequenceArb } from './ot-arbitraries.ts';
import { isPairMiddle, modelCarry, pickRange } from '../support/anchor-model.ts';
import { applyOk } from './ot-support.ts';

const fraction = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

const docRangeOpArb = docArb.chain((doc) =>
  fc.record({ doc: fc.constant(doc), at: fraction, span: fraction, op: opArb(doc) }).map(({ at, span, op }) => ({ doc, op, range: pickRange(doc, at, span) })),
).filter((x): x is { doc: Delta; op: Delta; range: TextRange } => x.range !== null);

/** AN7: inside the document, non-empty, no end inside a surrogate pair. */
function expectInBounds(doc: Delta, range: TextRange | null): void {
  if (range === null) return;
  expect(range.length).toBeGreaterThanOrEqual(1);
  expect(range.index).toBeGreaterThanOrEqual(0);
  expect(range.index + range.length).toBeLessThanOrEqual(doc.length());
  expect(isPairMiddle(doc, range.index) || isPairMiddle(doc, range.index + range.length)).toBe(false);
}

describe('anchors (properties)', () => {
  it('[AN2][AN3][AN4] carrying over one op agrees with the character-marking model', () => {
    fc.assert(
      fc.property(docRangeOpArb, ({ doc, op, range }) => {
        expect(carryRange(range, op)).toEqual(modelCarry(doc.length(), range, op));
      }),
    );
  });

  it('[AN7] a carried range lies inside the new document and cuts no surrogate pair', () => {
    fc.assert(
      fc.property(docRangeOpArb, ({ doc, op, range }) => {
        expectInBounds(applyOk(doc, op), carryRange(range, op));
      }),
    );
  });

  it('[AN3] an op that only formats never moves a range', () => {
    const formatOnly = docArb.chain((doc) =>
      fc.record({
        doc: fc.constant(doc),
        at: fraction,
        span: fraction,
        edits: fc.array(fc.record({ kind: fc.constant('format' as const), at: fraction, span: fraction, attributes: fc.constant({ bold: true }) }), { maxLength: 3 }),
      }),
    );
    fc.assert(
      fc.property(formatOnly, ({ doc, at, span, edits }) => {
        const range = pickRange(doc, at, span);
        if (range === null) return;
        expect(carryRange(range, buildOp(doc, edits))).toEqual(range);
      }),
    );
  });

  it('[AN4][AN5] over a sequence of ops, the anchor agrees with the model step by step, and any split of the fold gives the same answer', () => {
    const arb = fc.record({ seq: sequenceArb(5), at: fraction, span: fraction, split: fc.nat({ max: 5 }) });
    fc.assert(
      fc.property(arb, ({ seq: { doc, plans }, at, span, split }) => {
        const range = pickRange(doc, at, span);
        if (range === null) return;
        const log: { version: number; delta: Delta }[] = [];
        let current = doc;
        let expected: TextRange | null = range;
        for (const [i, plan] of plans.entries()) {
          const delta = buildOp(current, plan);
          expected = modelCarry(current.length(), expected, delta);
          current = applyOk(current, delta);
          log.push({ version: i + 1, delta });
        }
        const whole = carryAnchor({ range, version: 0 }, log);
        expect(whole).toEqual({ range: expected, version: log.length });
        expectInBounds(current, whole.range);
        const rebased = carryAnchor({ range, version: 0 }, log.slice(0, split));
        expect(carryAnchor(rebased, log)).toEqual(whole);
      }),
    );
  });
});
