import { describe, expect, it } from 'vitest';
import { BLOCK_FORMATS, DELETED, highlightChanges, INSERTED, REFORMATTED } from '../../lib/api-client/highlight-changes.ts';
import { Delta, diff } from '../../lib/ot/operation.ts';

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

/**
 * Issue 19, item 3: the preview must render exactly `at(toVersion)`. Quill gives a whole line the
 * block format found on any of its characters, and renders no inline format inside code blocks,
 * so the preview must keep block formats on line breaks only and leave deleted text out of code
 * blocks; then, without the deleted text and the highlight colours, it is the target document.
 */
describe('highlightChanges fidelity: the preview is at(toVersion) [issue 19.3]', () => {
  const h1 = { header: 1 };
  const bullet = { list: 'bullet' };
  const code = { 'code-block': 'plain' };
  const isDeleted = (a: Record<string, unknown> | undefined) => a?.strike === DELETED.strike && a?.color === DELETED.color && a?.background === DELETED.background;
  const withoutHighlights = (preview: Delta): Delta => {
    const out = new Delta();
    for (const op of preview.ops) {
      if (isDeleted(op.attributes)) continue;
      const attributes = { ...op.attributes };
      if (attributes.background === INSERTED.background || attributes.background === REFORMATTED.background) delete attributes.background;
      out.insert(op.insert!, Object.keys(attributes).length > 0 ? attributes : undefined);
    }
    return out;
  };
  // Headers, lists and code blocks at the edges of the change: first line, last line, and the
  // lines a deletion joins.
  const versions: Array<[string, Delta]> = [
    ['heading then text', doc({ insert: 'Title' }, { insert: '\n', attributes: h1 }, { insert: 'Body text\n' })],
    ['text only', doc({ insert: 'Body text\nMore\n' })],
    ['text then heading last', doc({ insert: 'Intro\nClosing' }, { insert: '\n', attributes: h1 })],
    ['list at the edges', doc({ insert: 'one' }, { insert: '\n', attributes: bullet }, { insert: 'middle\ntwo' }, { insert: '\n', attributes: bullet })],
    ['code block first and last', doc({ insert: 'let a = 1;' }, { insert: '\n', attributes: code }, { insert: 'prose\nreturn a;' }, { insert: '\n', attributes: code })],
    ['code block in the middle', doc({ insert: 'Title' }, { insert: '\n', attributes: h1 }, { insert: 'x = 2' }, { insert: '\n', attributes: code }, { insert: 'end\n' })],
    ['empty', doc({ insert: '\n' })],
  ];
  for (const [fromName, from] of versions) {
    for (const [toName, to] of versions) {
      it(`${fromName} → ${toName}`, () => {
        const preview = highlightChanges(from, diff(from, to));
        expect(withoutHighlights(preview).ops).toEqual(to.ops);
        for (const op of preview.ops) {
          if (op.insert === '\n') continue;
          expect(Object.keys(op.attributes ?? {}).filter((k) => BLOCK_FORMATS.has(k))).toEqual([]);
        }
        // Nothing deleted is drawn inside a code block (Quill would draw it plain, as if kept).
        let line: Delta['ops'] = [];
        for (const op of preview.ops) {
          line.push(op);
          if (op.insert !== '\n') continue;
          if (op.attributes?.['code-block']) expect(line.filter((o) => isDeleted(o.attributes))).toEqual([]);
          line = [];
        }
      });
    }
  }
});
