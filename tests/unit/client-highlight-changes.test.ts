import { describe, expect, it } from 'vitest';
import { DELETED, highlightChanges, INSERTED, REFORMATTED } from '../../lib/client/highlight-changes.ts';
import { Delta } from '../../lib/ot/operation.ts';

const doc = (...ops: Delta['ops']) => new Delta(ops);

describe('highlightChanges (history preview)', () => {
  it('marks inserted text, keeps deleted text struck through, and leaves the rest alone', () => {
    const base = doc({ insert: 'Hello old world\n' });
    const change = new Delta().retain(6).delete(4).insert('new ').retain(6);
    expect(highlightChanges(base, change).ops).toEqual([
      { insert: 'Hello ' },
      // Deltas put an insert before a delete at the same place.
      { insert: 'new ', attributes: INSERTED },
      { insert: 'old ', attributes: DELETED },
      { insert: 'world\n' },
    ]);
  });

  it('marks reformatted text and applies the new format; removed attributes disappear', () => {
    const base = doc({ insert: 'ab', attributes: { italic: true } }, { insert: 'cd\n' });
    const change = new Delta().retain(2, { italic: null, bold: true }).retain(2);
    expect(highlightChanges(base, change).ops).toEqual([{ insert: 'ab', attributes: { bold: true, ...REFORMATTED } }, { insert: 'cd\n' }]);
  });

  it('does not colour inserted line breaks, and shows deleted ones as a pilcrow', () => {
    const base = doc({ insert: 'one\ntwo\n' });
    const change = new Delta().retain(3).delete(1).retain(4).insert('three\n');
    const ops = highlightChanges(base, change).ops;
    expect(ops.map((o) => o.insert).join('')).toBe('one¶two\nthree\n');
    expect(ops.find((o) => o.insert === 'three')?.attributes).toEqual(INSERTED);
    expect(ops.filter((o) => typeof o.insert === 'string' && o.insert.includes('\n') && o.attributes?.background)).toEqual([]);
  });
});
