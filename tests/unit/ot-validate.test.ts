/** Validation of untrusted deltas [OT7, OT8, OT9]: what is accepted, and the messages when not. */
import { describe, expect, it } from 'vitest';
import { ALLOWED_ATTRIBUTES, DEFAULT_LIMITS, Delta, validateDocument, validateOp, validateSelection, type Limits, type Result } from '../../lib/ot/operation.ts';

const refused = (r: Result<unknown>) => (r.ok ? { code: 'accepted', message: '' } : { code: r.code, message: r.message });
const small: Limits = { maxComponents: 3, maxInsertLength: 5, maxDocumentLength: 10, maxLinkLength: 30 };

describe('validateOp', () => {
  it('[OT9] accepts { ops }, a bare array and a Delta, returning a fresh canonical Delta', () => {
    const raw = [{ insert: 'ab' }, { insert: 'c' }, { retain: 2, attributes: { bold: true } }, { retain: 1, attributes: { bold: true } }, { retain: 4 }];
    const expected = [{ insert: 'abc' }, { retain: 3, attributes: { bold: true } }];
    for (const input of [{ ops: raw }, raw, new Delta(raw)]) {
      const r = validateOp(input);
      expect(r.ok && r.value.ops).toEqual(expected);
      expect(r.ok && r.value.ops[1]?.attributes).not.toBe(raw[2]?.attributes);
    }
  });

  it('[OT9] puts an insert before a delete at the same position, drops empty attributes, and accepts the empty op', () => {
    const r = validateOp({ ops: [{ retain: 1 }, { delete: 2 }, { insert: 'x', attributes: {} }] });
    expect(r.ok && r.value.ops).toEqual([{ retain: 1 }, { insert: 'x' }, { delete: 2 }]);
    expect(validateOp({ ops: [] })).toEqual({ ok: true, value: new Delta() });
  });

  it.each([
    ['a string', 'hello', /must be an object \{ "ops": \[\.\.\.\] \}/],
    ['null', null, /must be an object/],
    ['an extra top-level key', { ops: [], version: 3 }, /unknown key "version"/],
    ['a component that is not an object', { ops: [5] }, /ops\[0\]: each op must be an object/],
    ['two kinds in one component', { ops: [{ insert: 'a', delete: 1 }] }, /ops\[0\]: each op must have exactly one/],
    ['no kind', { ops: [{ attributes: { bold: true } }] }, /exactly one of "insert", "retain" or "delete"/],
    ['an unknown key', { ops: [{ retain: 1 }, { insert: 'a', foo: 1 }] }, /ops\[1\]: unknown key "foo"/],
    ['retain 0', { ops: [{ retain: 0 }] }, /"retain" must be a positive integer; got 0/],
    ['a fractional delete', { ops: [{ delete: 1.5 }] }, /"delete" must be a positive integer; got 1.5/],
    ['a string retain', { ops: [{ retain: '3' }] }, /"retain" must be a positive integer; got "3"/],
    ['an embed retain (quill-delta 5 retain-object)', { ops: [{ retain: { image: 'x' } }] }, /"retain" must be a positive integer/],
    ['a delete with attributes', { ops: [{ delete: 1, attributes: { bold: true } }] }, /a delete cannot have attributes/],
    ['an empty insert', { ops: [{ insert: '' }] }, /non-empty string/],
    ['a NUL character', { ops: [{ insert: 'a\u0000' }] }, /NUL character \(U\+0000\) at offset 1/],
    ['a lone high surrogate', { ops: [{ insert: 'ab\uD83D' }] }, /unpaired surrogate .* at offset 2/],
    ['a lone low surrogate', { ops: [{ insert: '\uDE00x' }] }, /unpaired surrogate .* at offset 0/],
    ['an unsupported embed', { ops: [{ insert: { video: 'https://x.test/v' } }] }, /embed insert must be \{ "image"/],
    ['a data: image', { ops: [{ insert: { image: 'data:image/png;base64,AAAA' } }] }, /image URL must be an absolute http\/https URL; upload the image/],
    ['a number insert', { ops: [{ insert: 3 }] }, /"insert" must be a string or/],
  ])('[OT9] refuses %s with BAD_USER_INPUT and says what to fix', (_name, input, message) => {
    const r = refused(validateOp(input));
    expect(r.code).toBe('BAD_USER_INPUT');
    expect(r.message).toMatch(message);
  });

  it.each([
    ['an unknown attribute', { font: 'serif' }, /attribute "font" is not supported; supported attributes are bold, italic/],
    ['bold: false', { bold: false }, /attribute "bold" must be true \(to leave text unformatted, omit the attribute\); got false/],
    ['header 7', { header: 7 }, /attribute "header" must be an integer from 1 to 6; got 7/],
    ['an unknown list kind', { list: 'roman' }, /attribute "list" must be one of "ordered", "bullet", "checked", "unchecked"/],
    ['a javascript: link', { link: 'javascript:alert(1)' }, /attribute "link" must be an absolute http\/https\/mailto URL/],
    ['a relative link', { link: '/docs/1' }, /attribute "link" must be an absolute/],
    ['a link with a newline', { link: 'https://a.test/\nx' }, /without spaces or control characters/],
    ['an over-long link', { link: `https://a.test/${'x'.repeat(DEFAULT_LIMITS.maxLinkLength)}` }, /at most 2048 characters/],
    ['a CSS expression as colour', { color: 'expression(alert(1))' }, /attribute "color" must be a colour like "#e60000"/],
    ['null on an insert', { bold: null }, /null on an insert; null \(remove the format\) is only allowed on a retain/],
    ['attributes that are not an object', 'bold', /"attributes" must be an object; got "bold"/],
    ['a __proto__ key', JSON.parse('{"__proto__": {"x": 1}}') as unknown, /attribute "__proto__" is not supported/],
  ])('[OT8] refuses an insert with %s, naming the attribute', (_name, attributes, message) => {
    const r = refused(validateOp({ ops: [{ insert: 'a', attributes }] }));
    expect(r).toEqual({ code: 'BAD_USER_INPUT', message: expect.stringMatching(message) as unknown });
    expect(r.message).toMatch(/^ops\[0\]: /);
  });

  it('[OT8] accepts every allow-listed attribute with a valid value, and null on a retain', () => {
    const values: Record<string, unknown> = {
      bold: true, italic: true, underline: true, strike: true, code: true, link: 'mailto:a@b.test', color: 'rgb(1, 2, 3)',
      background: '#FFF', script: 'super', header: 6, list: 'unchecked', blockquote: true, 'code-block': 'typescript',
      align: 'justify', indent: 8,
    };
    expect(Object.keys(values).sort()).toEqual([...ALLOWED_ATTRIBUTES].sort());
    expect(validateOp({ ops: [{ insert: 'a', attributes: values }] }).ok).toBe(true);
    const removals = Object.fromEntries(ALLOWED_ATTRIBUTES.map((k) => [k, null]));
    const r = validateOp({ ops: [{ retain: 2, attributes: removals }] });
    expect(r.ok && r.value.ops[0]?.attributes).toEqual(removals);
    expect(refused(validateOp({ ops: [{ retain: 1, attributes: { bold: false } }] })).message).toMatch(/to remove a format, use null/);
  });

  it('[OT9] keeps messages short and never throws on values JSON cannot hold', () => {
    expect(refused(validateOp({ ops: [{ delete: 'x'.repeat(100_000) }] })).message.length).toBeLessThan(120);
    expect(refused(validateOp({ ops: [{ retain: 10n }] })).message).toMatch(/"retain" must be a positive integer; got bigint/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(refused(validateOp({ ops: [{ retain: 1, attributes: { bold: cyclic } }] })).message).toMatch(/attribute "bold" must be true; got object/);
  });

  it('[OT7] refuses too many components or too much inserted text with PAYLOAD_TOO_LARGE', () => {
    expect(refused(validateOp({ ops: [{ insert: 'a' }, { retain: 1 }, { insert: 'b' }, { retain: 1 }] }, small))).toEqual({
      code: 'PAYLOAD_TOO_LARGE',
      message: 'The op has 4 components; at most 3 are allowed. Split the change into several ops.',
    });
    expect(refused(validateOp({ ops: [{ insert: 'abc' }, { retain: 1 }, { insert: 'def' }] }, small))).toEqual({
      code: 'PAYLOAD_TOO_LARGE',
      message: 'The op inserts more than 5 characters (exceeded at ops[2]). Split the change into several ops.',
    });
    expect(validateOp({ ops: [{ insert: 'abc' }, { retain: 1 }, { insert: 'de' }] }, small).ok).toBe(true);
  });

  it('[OT7] refuses an op reaching past the largest allowed document with BAD_USER_INPUT', () => {
    expect(refused(validateOp({ ops: [{ retain: 8 }, { delete: 3 }] }, small))).toEqual({
      code: 'BAD_USER_INPUT',
      message: 'ops[1]: the op reaches position 11, past the largest allowed document (10 characters).',
    });
  });

  it('[OT7] DEFAULT_LIMITS are the documented bounds', () => {
    expect(DEFAULT_LIMITS).toEqual({ maxComponents: 10_000, maxInsertLength: 1_000_000, maxDocumentLength: 5_000_000, maxLinkLength: 2_048 });
    expect(Object.isFrozen(DEFAULT_LIMITS)).toBe(true);
  });
});

describe('validateDocument', () => {
  it('[OT9] accepts inserts ending with a newline, with embeds and surrogate pairs, merged', () => {
    const r = validateDocument({ ops: [{ insert: 'a😀' }, { insert: 'b\n' }, { insert: { image: 'https://a.test/i.png' } }, { insert: '\n', attributes: { header: 2 } }] });
    expect(r.ok && r.value.ops).toEqual([{ insert: 'a😀b\n' }, { insert: { image: 'https://a.test/i.png' } }, { insert: '\n', attributes: { header: 2 } }]);
    expect(r.ok && r.value.length()).toBe(7);
  });

  it.each([
    ['an empty document', { ops: [] }, /must end with a newline/],
    ['no final newline', { ops: [{ insert: 'abc' }] }, /must end with a newline: make the last op an insert whose text ends with "\\n"/],
    ['an embed last', { ops: [{ insert: '\n' }, { insert: { image: 'https://a.test/i.png' } }] }, /must end with a newline/],
    ['a retain', { ops: [{ retain: 1 }, { insert: '\n' }] }, /ops\[0\]: a document contains only inserts; found a retain/],
    ['a delete', { ops: [{ insert: 'a\n' }, { delete: 1 }] }, /ops\[1\]: a document contains only inserts; found a delete/],
    ['a null attribute', { ops: [{ insert: 'a\n', attributes: { bold: null } }] }, /only allowed on a retain/],
  ])('[OT9] refuses %s', (_name, input, message) => {
    const r = refused(validateDocument(input));
    expect(r.code).toBe('BAD_USER_INPUT');
    expect(r.message).toMatch(message);
  });

  it('[OT7] refuses a document longer than maxDocumentLength with PAYLOAD_TOO_LARGE', () => {
    expect(refused(validateDocument({ ops: [{ insert: 'abcdef' }, { insert: 'ghij\n' }] }, small))).toEqual({
      code: 'PAYLOAD_TOO_LARGE',
      message: 'The document is longer than 10 characters (exceeded at ops[1]).',
    });
    expect(refused(validateDocument({ ops: Array.from({ length: 11 }, () => ({ insert: '\n' })) }, small)).code).toBe('PAYLOAD_TOO_LARGE');
    expect(validateDocument({ ops: [{ insert: 'abcdefghi\n' }] }, small).ok).toBe(true);
  });
});

describe('validateSelection', () => {
  it('[OT4] accepts { index, length } inside the document and refuses anything else', () => {
    expect(validateSelection({ index: 2, length: 3 }, 5)).toEqual({ ok: true, value: { index: 2, length: 3 } });
    expect(refused(validateSelection({ index: 2, length: 4 }, 5)).message).toMatch(/ends at 6 but the document has 5 characters/);
    expect(refused(validateSelection({ index: -1, length: 0 })).message).toMatch(/"index" must be an integer ≥ 0; got -1/);
    expect(refused(validateSelection({ index: 0, length: 0.5 })).message).toMatch(/"length" must be an integer ≥ 0/);
    expect(refused(validateSelection({ index: 0, length: 0, range: 1 })).message).toMatch(/unknown key "range"/);
    expect(refused(validateSelection([0, 1])).code).toBe('BAD_USER_INPUT');
  });
});
