/**
 * Why the planner transforms a submission over the missed ops one by one instead of once over
 * their composition (bench request 1): for this op type `transform(a, compose(b, c), 'right')` is
 * NOT always `transform(transform(a, b, 'right'), c, 'right')`. fast-check found it in ~100 cases
 * (seeded property over docArb/opArb, 2,000 runs); the shrunk case is kept here. compose moves an
 * insert before a delete at one index (quill-delta's normal form), so `a`'s insert at 0, which
 * ties with nothing in `b` then `c`, ties with `b`'s insert in the composition and goes after it.
 */
import { describe, expect, it } from 'vitest';
import { compose, Delta, transform } from '../../lib/ot/operation.ts';

describe('transform over composed ops [PL8]', () => {
  it('transform over compose(b, c) differs from transform over b then c when compose moves an insert to a tie', () => {
    const a = new Delta().insert('é', { background: '#fff', italic: true });
    const b = new Delta().retain(2, { strike: true, bold: true }).insert('tab\t', { bold: true, link: 'https://example.com/page' }).insert('ß', { background: '#fff', italic: true });
    const c = new Delta().delete(2);
    const once = transform(a, compose(b, c), 'right');
    const twice = transform(transform(a, b, 'right'), c, 'right');
    expect(twice.ops).toEqual([{ insert: 'é', attributes: { background: '#fff', italic: true } }]);
    expect(once.ops).toEqual([{ retain: 5 }, { insert: 'é', attributes: { background: '#fff', italic: true } }]);
  });
});
