/**
 * lib/ot/operation.ts transforms two simple edits (an optional plain retain, then one insert or
 * one delete) by arithmetic instead of quill-delta's walk over both ops [PL8]. These properties
 * hold it to building exactly the Deltas quill-delta's transform builds, on both sides: inserts
 * and deletes at the same place, touching and overlapping ranges, embeds and formatted inserts,
 * and every op that is not simple (which still goes to quill-delta).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Delta, quillDeltaTransform, transform, transformOver } from '../../lib/ot/operation.ts';
import { concurrentArb } from './ot-arbitraries.ts';

// Same ops, same keys in the same order (what is stored as JSON).
const same = (actual: Delta, expected: Delta) => expect(JSON.stringify(actual.ops)).toBe(JSON.stringify(expected.ops));

/** Positions and lengths in a small range, so ties, touching and overlapping ranges are common. */
const small = fc.integer({ min: 0, max: 6 });
const insertArb = fc.oneof(
  fc.constantFrom('a', 'xy', '\n', '😀', 'héllo').map((text) => ({ insert: text }) as Record<string, unknown>),
  fc.constant({ insert: 'b', attributes: { bold: true } }),
  fc.constant({ insert: { image: 'https://x.test/i.png' } }),
  fc.constant({ insert: 'L', attributes: { link: 'https://x.test', italic: true } }),
);
/** A simple edit: retain `at` (none when 0), then an insert or a delete of 1–4. */
const simpleArb = fc.tuple(small, fc.oneof(insertArb, fc.integer({ min: 1, max: 4 }).map((n) => ({ delete: n }) as Record<string, unknown>))).map(
  ([at, edit]) => new Delta(at > 0 ? [{ retain: at }, edit] : [edit]),
);

describe('transform of simple edits by arithmetic [PL8]', () => {
  it('builds the same Deltas as quill-delta for every pair of simple edits, on both sides', () => {
    fc.assert(
      fc.property(simpleArb, simpleArb, (a, b) => {
        for (const side of ['left', 'right'] as const) {
          same(transform(a, b, side), quillDeltaTransform(a, b, side));
          same(transform(b, a, side), quillDeltaTransform(b, a, side));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('every pair of positions and lengths up to 4, exhaustively', () => {
    const edits: Delta[] = [];
    for (let at = 0; at <= 5; at++) {
      const lead = at > 0 ? [{ retain: at }] : [];
      edits.push(new Delta([...lead, { insert: 'ab' }]), new Delta([...lead, { insert: { image: 'i.png' } }]));
      for (let n = 1; n <= 4; n++) edits.push(new Delta([...lead, { delete: n }]));
    }
    for (const a of edits) for (const b of edits) for (const side of ['left', 'right'] as const) same(transform(a, b, side), quillDeltaTransform(a, b, side));
  });

  it('ops that are not simple (formats, several edits, empty) still give what quill-delta gives', () => {
    fc.assert(
      fc.property(concurrentArb, ({ a, b }) => {
        for (const side of ['left', 'right'] as const) same(transform(a, b, side), quillDeltaTransform(a, b, side));
      }),
    );
    const empty = new Delta([]);
    const typed = new Delta([{ retain: 2 }, { insert: 'x' }]);
    same(transform(empty, typed, 'left'), quillDeltaTransform(empty, typed, 'left'));
    same(transform(typed, empty, 'right'), quillDeltaTransform(typed, empty, 'right'));
    const bold = new Delta([{ retain: 1 }, { retain: 2, attributes: { bold: true } }]);
    same(transform(bold, typed, 'left'), quillDeltaTransform(bold, typed, 'left'));
    same(transform(typed, bold, 'right'), quillDeltaTransform(typed, bold, 'right'));
  });

  it('components of shapes validateOp refuses (null attributes, two kinds in one, NaN, Infinity, fractions) go to quill-delta too', () => {
    const odd: unknown[][] = [
      [{ insert: 'n', attributes: null }],
      [{ retain: 2, delete: 1 }, { insert: 'a' }],
      [{ insert: 'a', delete: 1 }],
      [{ retain: Number.NaN }, { insert: 'a' }],
      [{ retain: 2 }, { delete: Number.POSITIVE_INFINITY }],
      [{ retain: 1.5 }, { insert: 'a' }],
      [{ retain: 1 }, { delete: 1, retain: 1 }],
      [{ insert: 7 }],
      [{ insert: null }],
    ];
    const plain = [new Delta([{ insert: 'a' }]), new Delta([{ retain: 1 }, { delete: 2 }]), new Delta([{ retain: 3 }, { insert: 'xy' }])];
    for (const ops of odd) {
      const a = new Delta(ops as never);
      for (const b of plain) {
        for (const side of ['left', 'right'] as const) {
          same(transform(a, b, side), quillDeltaTransform(a, b, side));
          same(transform(b, a, side), quillDeltaTransform(b, a, side));
        }
      }
    }
  });

  it('does not share objects with its inputs (a formatted insert is copied)', () => {
    const mine = new Delta([{ retain: 1 }, { insert: 'b', attributes: { bold: true } }]);
    const theirs = new Delta([{ insert: 'xy' }]);
    const out = transform(mine, theirs, 'right');
    expect(out.ops).toEqual([{ retain: 3 }, { insert: 'b', attributes: { bold: true } }]);
    expect(out.ops[1]).not.toBe(mine.ops[1]);
    expect(out.ops[1]!.attributes).not.toBe(mine.ops[1]!.attributes);
  });

  it('transformOver carries an op over a run of ops as one transform per op does: simple runs by arithmetic, split and emptied deletes, ops that are not simple between', () => {
    // Mostly simple edits, some not (formats, several edits), so runs are broken and resumed.
    const anyArb = fc.oneof({ weight: 4, arbitrary: simpleArb }, { weight: 1, arbitrary: concurrentArb.map(({ a }) => a) });
    fc.assert(
      fc.property(anyArb, fc.array(anyArb, { maxLength: 12 }), fc.nat(12), fc.nat(12), (op, others, x, y) => {
        const from = Math.min(x, y, others.length);
        const to = Math.min(Math.max(x, y), others.length);
        const wrapped = others.map((delta) => ({ delta }));
        for (const side of ['left', 'right'] as const) {
          let expected = op;
          for (let i = from; i < to; i++) expected = quillDeltaTransform(expected, others[i]!, side);
          same(transformOver(op, wrapped, from, to, side), expected);
        }
      }),
      { numRuns: 3000 },
    );
    // A delete split by an insert inside it, then carried on; one emptied by a delete covering it.
    const split = transformOver(new Delta([{ retain: 1 }, { delete: 3 }]), [new Delta([{ retain: 2 }, { insert: 'ab' }]), new Delta([{ insert: 'z' }])].map((delta) => ({ delta })), 0, 2, 'right');
    same(split, new Delta([{ retain: 2 }, { delete: 1 }, { retain: 2 }, { delete: 2 }]));
    const gone = transformOver(new Delta([{ retain: 1 }, { delete: 2 }]), [new Delta([{ delete: 4 }]), new Delta([{ insert: 'q' }])].map((delta) => ({ delta })), 0, 2, 'left');
    same(gone, new Delta([]));
  });
});

