/**
 * lib/ot/operation.ts replaces quill-delta's `push` (lodash deep copy and isEqual per op) with a
 * JSON copy and comparison [PL8]. These properties hold it to building exactly the Deltas
 * quill-delta's own `push` builds, through transform (both sides), compose and invert, and to
 * copying what it is given as quill-delta does.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compose, Delta, invert, quillDeltaPush, transform } from '../../lib/ot/operation.ts';
import { concurrentArb, opArb } from './ot-arbitraries.ts';

/** `run` with quill-delta's own push in place (synchronous, so nothing else sees it). */
function withQuillPush<T>(run: () => T): T {
  const ours = Delta.prototype.push;
  Delta.prototype.push = quillDeltaPush;
  try {
    return run();
  } finally {
    Delta.prototype.push = ours;
  }
}

// Same ops, same keys in the same order (what is stored as JSON).
const same = (actual: Delta, expected: Delta) => expect(JSON.stringify(actual.ops)).toBe(JSON.stringify(expected.ops));

describe('Delta.push without lodash [PL8]', () => {
  it('transform builds the same Deltas as quill-delta push, on both sides, with attributes and inserts at one index', () => {
    fc.assert(
      fc.property(concurrentArb, ({ a, b }) => {
        for (const side of ['left', 'right'] as const) same(transform(a, b, side), withQuillPush(() => transform(a, b, side)));
      }),
    );
  });

  it('compose and invert build the same Deltas as quill-delta push', () => {
    fc.assert(
      fc.property(
        concurrentArb.chain(({ doc, a }) => opArb(doc.compose(a)).map((c) => ({ doc, a, c }))),
        ({ doc, a, c }) => {
          same(compose(a, c), withQuillPush(() => compose(a, c)));
          same(compose(doc, a), withQuillPush(() => compose(doc, a)));
          same(invert(a, doc), withQuillPush(() => invert(a, doc)));
        },
      ),
    );
  });

  it('push merges and reorders like quill-delta: deletes join, an insert goes before a delete, equal attributes join', () => {
    const build = () =>
      new Delta()
        .retain(2, { bold: true })
        .retain(3, { bold: true })
        .delete(1)
        .delete(2)
        .insert('a', { link: 'https://x.test' })
        .insert('b', { link: 'https://x.test' })
        .insert({ image: 'https://x.test/i.png' })
        .retain(1, { bold: null });
    same(build(), withQuillPush(build));
    expect(build().ops).toEqual([
      { retain: 5, attributes: { bold: true } },
      { insert: 'ab', attributes: { link: 'https://x.test' } },
      { insert: { image: 'https://x.test/i.png' } },
      { delete: 3 },
      { retain: 1, attributes: { bold: null } },
    ]);
  });

  it('push copies the op it is given: changing the given op afterwards changes nothing in the Delta', () => {
    const given = { insert: { image: 'https://x.test/i.png' }, attributes: { width: '10' } };
    const delta = new Delta().push(given);
    given.insert.image = 'changed';
    given.attributes.width = 'changed';
    expect(delta.ops).toEqual([{ insert: { image: 'https://x.test/i.png' }, attributes: { width: '10' } }]);
  });
});
