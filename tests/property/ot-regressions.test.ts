/**
 * Every counterexample or fuzz seed that once failed, kept as a named test. Add one per failure:
 * the fast-check seed/path or ot-fuzzer seed, the shrunk input, and the rule it broke.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { Delta, diff } from '../../lib/ot/operation.ts';
import { docArb, opArb } from './ot-arbitraries.ts';
import { applyOk, expectSameDelta, expectValidOpFor } from './ot-support.ts';

const checkDiff = (from: Delta, to: Delta) => {
  const d = diff(from, to);
  expectValidOpFor(from, d);
  expectSameDelta(applyOk(from, d), to);
};

describe('lib/ot regressions', () => {
  it('[OT10] fast-check seed 1531657089: diff of "\\n\\n" to "\\n" deleted the final newline', () => {
    checkDiff(new Delta().insert('\n\n'), new Delta().insert('\n'));
  });

  it('[OT10] fast-check seed 889180883: diff split a surrogate pair (fast-diff rotated U+1D158 U+1D165)', () => {
    checkDiff(
      new Delta().insert('\u07CC\u{1D158}\u{1D165}\u{1D172}\u195B', { blockquote: true }).insert('z\n'),
      new Delta().insert('\u07CC', { header: 1, blockquote: true }).insert('\u{1D165}\u{1D172}\u195B', { blockquote: true }).insert('z\n'),
    );
  });

  it('[OT10] fast-check seed 889180883, replayed with its path', () => {
    const related = docArb.chain((doc) => fc.tuple(fc.constant(doc), opArb(doc).map((op) => applyOk(doc, op))));
    fc.assert(fc.property(fc.oneof(related, fc.tuple(docArb, docArb)), ([from, to]) => checkDiff(from, to)), {
      seed: 889180883,
      path: '365:191:1:1:2:2',
      endOnFailure: true,
    });
  });

});
