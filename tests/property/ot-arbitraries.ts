/**
 * fast-check arbitraries for lib/ot: documents, and ops valid against a given document.
 *
 * Text covers ASCII, newlines, combining marks, CJK and astral characters (surrogate pairs);
 * lengths count UTF-16 code units as quill-delta does. Ops come from edit plans turned into ops by
 * lib/ot's `buildOp`, so fast-check shrinks the plan and the op stays valid while shrinking.
 *
 * Runs per property: OT_PROPERTY_RUNS (default 200); seed: OT_PROPERTY_SEED. fast-check prints
 * the seed and path of any failure; keep it as a named regression in ot-regressions.test.ts.
 */
import fc from 'fast-check';
import type { AttributeMap } from 'quill-delta';
import { Delta, unwrap, validateDocument } from '../../lib/ot/operation.ts';
import {
  BLOCK_FORMATS,
  buildOp,
  IMAGE_SAMPLE,
  INLINE_FORMATS,
  REMOVE_FORMATS,
  TEXT_SAMPLES,
  type Edit,
} from '../../lib/ot/random-op.ts';

const runs = Number(process.env.OT_PROPERTY_RUNS ?? 200);
const seed = process.env.OT_PROPERTY_SEED;
fc.configureGlobal({ numRuns: runs, ...(seed !== undefined ? { seed: Number(seed) } : {}) });

const WELL_FORMED = /^[^\u0000\uD800-\uDFFF]*(?:[\uD800-\uDBFF][\uDC00-\uDFFF][^\u0000\uD800-\uDFFF]*)*$/;

/** Non-empty text: samples, arbitrary code points (astral included) and grapheme clusters. */
export const textArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...TEXT_SAMPLES) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 4 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 3 }) },
).filter((s) => s.length > 0 && WELL_FORMED.test(s));

const merge = (a: AttributeMap, b: AttributeMap): AttributeMap => ({ ...a, ...b });
const combined = (pool: readonly AttributeMap[]) =>
  fc.tuple(fc.constantFrom(...pool), fc.constantFrom(...pool)).map(([a, b]) => merge(a, b));

/** Attributes for an insert of `text`: block formats on newlines, inline elsewhere. */
const insertAttributesArb = fc.option(fc.oneof(combined(INLINE_FORMATS), fc.constantFrom(...BLOCK_FORMATS)), {
  nil: undefined,
});

/** Attributes for a formatting retain, including removals (null). */
export const retainAttributesArb: fc.Arbitrary<AttributeMap> = fc.oneof(
  combined(INLINE_FORMATS),
  fc.constantFrom(...BLOCK_FORMATS),
  combined(REMOVE_FORMATS),
  fc.tuple(fc.constantFrom(...INLINE_FORMATS), fc.constantFrom(...REMOVE_FORMATS)).map(([a, b]) => merge(a, b)),
);

const fraction = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

/** One edit of a plan (see lib/ot/random-op.ts). */
export const editArb: fc.Arbitrary<Edit> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('insert' as const),
      at: fraction,
      content: fc.oneof({ weight: 9, arbitrary: textArb }, { weight: 1, arbitrary: fc.constant(IMAGE_SAMPLE) }),
      attributes: insertAttributesArb,
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fraction, span: fraction }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('format' as const), at: fraction, span: fraction, attributes: retainAttributesArb }),
  },
);

/** A valid document (canonical), up to a few dozen runs of formatted, multi-line text. */
export const docArb: fc.Arbitrary<Delta> = fc
  .tuple(
    fc.array(fc.record({ content: fc.oneof({ weight: 9, arbitrary: textArb }, { weight: 1, arbitrary: fc.constant(IMAGE_SAMPLE) }), attributes: insertAttributesArb }), { maxLength: 24 }),
    fc.option(fc.constantFrom(...BLOCK_FORMATS), { nil: undefined }),
  )
  .map(([runs, lastLine]) => {
    const doc = new Delta();
    for (const run of runs) doc.insert(typeof run.content === 'string' ? run.content : { image: run.content.image }, run.attributes);
    doc.insert('\n', lastLine);
    return unwrap(validateDocument(doc));
  });

/** An op valid against `doc`, of up to `maxEdits` edits. */
export const opArb = (doc: Delta, maxEdits = 4): fc.Arbitrary<Delta> =>
  fc.array(editArb, { maxLength: maxEdits }).map((edits) => buildOp(doc, edits));

/** A document with two ops made concurrently against it. */
export const concurrentArb: fc.Arbitrary<{ doc: Delta; a: Delta; b: Delta }> = docArb.chain((doc) =>
  fc.record({ doc: fc.constant(doc), a: opArb(doc), b: opArb(doc) }),
);

/** A document with a sequence of ops, each valid against the result of the ones before. */
export const sequenceArb = (count: number): fc.Arbitrary<{ doc: Delta; plans: Edit[][] }> =>
  fc.record({ doc: docArb, plans: fc.array(fc.array(editArb, { maxLength: 4 }), { minLength: count, maxLength: count }) });
