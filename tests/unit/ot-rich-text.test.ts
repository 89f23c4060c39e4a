/** The ottypes object [OT11]: its shape, and that it throws OtError on invalid input. */
import { describe, expect, it } from 'vitest';
import { Delta, OtError } from '../../lib/ot/operation.ts';
import { richText } from '../../lib/ot/rich-text.ts';

const thrown = (f: () => unknown) => {
  try {
    f();
  } catch (error) {
    return error instanceof OtError ? `${error.code}: ${error.message}` : `not an OtError: ${String(error)}`;
  }
  return 'did not throw';
};

describe('richText', () => {
  it('[OT11] has the ottypes members, invertWithDoc and no invert', () => {
    expect(richText.name).toBe('rich-text');
    expect(richText.uri).toBe('https://verso.dev/types/rich-text/v1');
    for (const m of ['create', 'apply', 'transform', 'compose', 'serialize', 'deserialize', 'invertWithDoc', 'normalize', 'diff', 'transformPresence'] as const) {
      expect(typeof richText[m]).toBe('function');
    }
    expect('invert' in richText).toBe(false);
  });

  it('[OT11] create makes "\\n" or validates its initial document', () => {
    expect(richText.create().ops).toEqual([{ insert: '\n' }]);
    expect(richText.create({ ops: [{ insert: 'hi\n' }] }).ops).toEqual([{ insert: 'hi\n' }]);
    expect(richText.create([{ insert: 'hi\n' }]).ops).toEqual([{ insert: 'hi\n' }]);
    expect(thrown(() => richText.create({ ops: [{ insert: 'no newline' }] }))).toMatch(/^BAD_USER_INPUT: A document must end with a newline/);
  });

  it('[OT11] apply, transform and compose accept JSON and throw OtError on invalid input', () => {
    expect(richText.apply({ ops: [{ insert: 'ab\n' }] }, [{ retain: 1 }, { insert: 'x' }]).ops).toEqual([{ insert: 'axb\n' }]);
    expect(thrown(() => richText.apply(richText.create(), { ops: [{ retain: 5 }, { insert: 'x' }] }))).toMatch(/^BAD_USER_INPUT: ops\[1\]: inserts at position 5|reaches position 5/);
    expect(thrown(() => richText.apply(richText.create(), { ops: [{ insert: 'x', attributes: { evil: 1 } }] }))).toMatch(/attribute "evil" is not supported/);
    expect(thrown(() => richText.transform([{ insert: 'a' }], [{ insert: 'b' }], 'middle' as 'left'))).toMatch(/side must be 'left' or 'right'/);
    expect(thrown(() => richText.compose([{ delete: -1 }], []))).toMatch(/"delete" must be a positive integer/);
    expect(richText.compose([{ insert: 'a' }], [{ retain: 1, attributes: { bold: true } }]).ops).toEqual([{ insert: 'a', attributes: { bold: true } }]);
  });

  it('[OT11] per-request size bounds do not apply to composed ops, the document bound does', () => {
    const many = Array.from({ length: 12_000 }, (_, i) => (i % 2 === 0 ? { insert: 'a', attributes: { bold: true } } : { insert: 'b' }));
    expect(richText.normalize(many).ops.length).toBe(12_000);
    expect(thrown(() => richText.apply(richText.create(), [{ insert: 'x'.repeat(5_000_000) }]))).toMatch(/^PAYLOAD_TOO_LARGE: /);
  });

  it('[OT3][OT11] invertWithDoc undoes an op and throws when the op does not fit the doc', () => {
    const doc = richText.create({ ops: [{ insert: 'abc\n' }] });
    const op = richText.normalize([{ retain: 1 }, { delete: 1 }, { retain: 1, attributes: { bold: true } }]);
    expect(richText.apply(richText.apply(doc, op), richText.invertWithDoc(op, doc)).ops).toEqual(doc.ops);
    expect(thrown(() => richText.invertWithDoc([{ retain: 9 }, { delete: 1 }], doc))).toMatch(/ops\[0\]: the op reaches position 9 but the document has only 4 characters/);
  });

  it('[OT4][OT11] transformPresence moves a selection, keeps null, and throws on a malformed one', () => {
    expect(richText.transformPresence({ index: 1, length: 2 }, [{ insert: 'xy' }], false)).toEqual({ index: 3, length: 2 });
    expect(richText.transformPresence(null, [{ insert: 'xy' }], false)).toBeNull();
    expect(thrown(() => richText.transformPresence({ index: 'a' }, [], false))).toMatch(/^BAD_USER_INPUT: /);
  });

  it('[OT11] trusts Delta snapshots but validates JSON ones', () => {
    expect(thrown(() => richText.apply({ ops: [{ insert: 'x\n', attributes: { font: 'a' } }] }, []))).toMatch(/attribute "font"/);
    expect(richText.apply(new Delta().insert('x\n'), []).ops).toEqual([{ insert: 'x\n' }]);
  });
});
