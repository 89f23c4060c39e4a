/** lib/ot/suggestion.ts and suggestion-marks.ts, by rule of lib/ot/SPEC.md (SG1 to SG16). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { apply, Delta, transform, validateDocument, validateOp } from '../../lib/ot/operation.ts';
import {
  acceptOp,
  checkEdit,
  checkMarkedDocument,
  checkSuggestion,
  DELETE_MARK,
  decodeMark,
  encodeMark,
  findSuggestion,
  INSERT_MARK,
  openSuggestions,
  rejectOp,
  resolvedView,
  suggestionIdFor,
  toSuggestion,
  validateSuggestionOp,
  type Suggester,
  type SuggestionResult,
} from '../../lib/ot/suggestion.ts';

const alice: Suggester = { author: 'alice', id: 'c1:1' };
const bob: Suggester = { author: 'bob', id: 'c2:1' };
const ins = (by: Suggester, id = by.id) => ({ [INSERT_MARK]: encodeMark(id, by.author) });
const del = (by: Suggester, id = by.id) => ({ [DELETE_MARK]: encodeMark(id, by.author) });
const doc = (text: string) => new Delta().insert(text);

function value<T>(r: SuggestionResult<T>): T {
  if (!r.ok) expect.fail(`expected ok, got ${r.reason}: ${r.message}`);
  return r.value;
}
const reason = (r: SuggestionResult<unknown>) => (r.ok ? 'ok' : r.reason);
const after = (d: Delta, op: Delta) => {
  const r = apply(d, op);
  if (!r.ok) expect.fail(r.message);
  return r.value;
};

describe('marks', () => {
  it('[SG1] encode and decode round-trip; malformed values read as no mark', () => {
    expect(encodeMark('c1:7', 'ckuser01')).toBe('c1:7|ckuser01');
    expect(decodeMark('c1:7|ckuser01')).toEqual({ id: 'c1:7', author: 'ckuser01' });
    for (const bad of ['', 'x', '|a', 'a|', 'a b|c', 'a|b c', 7, null, { id: 'a' }]) expect(decodeMark(bad)).toBeNull();
    expect(() => encodeMark('has space', 'a')).toThrow(RangeError);
    expect(() => encodeMark('a', 'x|y')).toThrow(RangeError);
  });

  it('[SG1] the submission id is clientId:clientSeq, and misuse throws', () => {
    expect(suggestionIdFor('9f1c-4b', 3)).toBe('9f1c-4b:3');
    expect(() => suggestionIdFor('a b', 1)).toThrow(RangeError);
    expect(() => suggestionIdFor('a', 0)).toThrow(RangeError);
  });

  it('[SG1] plain validation refuses marks: submitOperation and createDocument cannot write them', () => {
    const op = { ops: [{ insert: 'x', attributes: ins(alice) }] };
    const r = validateOp(op);
    expect(!r.ok && r.message).toMatch(/attribute "suggest-insert" is not supported/);
    expect(validateDocument({ ops: [{ insert: 'x\n', attributes: ins(alice) }] }).ok).toBe(false);
  });
});

describe('validateSuggestionOp', () => {
  it('[SG3] keeps marked neighbours apart and canonicalises the rest', () => {
    const r = validateSuggestionOp({
      ops: [{ retain: 2 }, { insert: 'a', attributes: { bold: true, ...ins(alice) } }, { insert: 'b', attributes: { bold: true } }, { retain: 1, attributes: del(alice) }, { retain: 3 }],
    });
    expect(value(r).ops).toEqual([
      { retain: 2 },
      { insert: 'a', attributes: { bold: true, [INSERT_MARK]: 'c1:1|alice' } },
      { insert: 'b', attributes: { bold: true } },
      { retain: 1, attributes: { [DELETE_MARK]: 'c1:1|alice' } },
    ]);
  });

  it('[SG3] refuses malformed marks, two marks on one component, null marks on inserts and marks on deletes', () => {
    expect(reason(validateSuggestionOp([{ insert: 'a', attributes: { [INSERT_MARK]: 'nobody' } }]))).toBe('MISPLACED_MARK');
    expect(reason(validateSuggestionOp([{ retain: 1, attributes: { ...ins(alice), ...del(alice) } }]))).toBe('MISPLACED_MARK');
    expect(reason(validateSuggestionOp([{ insert: 'a', attributes: { [INSERT_MARK]: null } }]))).toBe('MISPLACED_MARK');
    expect(reason(validateSuggestionOp([{ delete: 1, attributes: del(alice) }]))).toBe('MISPLACED_MARK');
    expect(value(validateSuggestionOp([{ retain: 1, attributes: { [DELETE_MARK]: null } }])).ops).toEqual([{ retain: 1, attributes: { [DELETE_MARK]: null } }]);
  });

  it('[SG3] everything else is validateOp\'s rules, with its code and message', () => {
    const r = validateSuggestionOp([{ insert: 'a', attributes: { font: 'x', ...ins(alice) } }]);
    expect(r.ok || [r.code, r.reason]).toEqual(['BAD_USER_INPUT', 'INVALID_OP']);
    expect(!r.ok && r.message).toMatch(/^ops\[0\]: attribute "font" is not supported/);
    expect(reason(validateSuggestionOp('nope'))).toBe('INVALID_OP');
    const big = validateSuggestionOp([{ insert: 'x'.repeat(50), attributes: ins(alice) }], { maxComponents: 10, maxInsertLength: 100, maxDocumentLength: 1000, maxLinkLength: 100, maxOpBytes: 80 });
    expect(big.ok || big.code).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('toSuggestion', () => {
  it('[SG4] marks inserted text as the author\'s proposed insertion, keeping its formats', () => {
    const s = value(toSuggestion(doc('ab\n'), new Delta().retain(1).insert('X', { bold: true }), alice));
    expect(s.ops).toEqual([{ retain: 1 }, { insert: 'X', attributes: { bold: true, ...ins(alice) } }]);
  });

  it('[SG4] turns a delete into a retain marking the text as proposed deletion', () => {
    const s = value(toSuggestion(doc('abcd\n'), new Delta().retain(1).delete(2), alice));
    expect(s.ops).toEqual([{ retain: 1 }, { retain: 2, attributes: del(alice) }]);
    expect(after(doc('abcd\n'), s).ops).toEqual([{ insert: 'a' }, { insert: 'bc', attributes: del(alice) }, { insert: 'd\n' }]);
  });

  it('[SG4] deleting one\'s own proposed insertion really removes it', () => {
    const d = new Delta().insert('a').insert('XY', ins(alice)).insert('b\n');
    const s = value(toSuggestion(d, new Delta().retain(1).delete(2), { ...alice, id: 'c1:2' }));
    expect(s.ops).toEqual([{ retain: 1 }, { delete: 2 }]);
    expect(after(d, s).ops).toEqual([{ insert: 'ab\n' }]);
  });

  it('[SG4][SG7] deleting across text already proposed for deletion leaves that text as it is', () => {
    const d = new Delta().insert('a').insert('bc', del(bob)).insert('de\n');
    const s = value(toSuggestion(d, new Delta().delete(4), alice));
    expect(s.ops).toEqual([{ retain: 1, attributes: del(alice) }, { retain: 2 }, { retain: 1, attributes: del(alice) }]);
  });

  it('[SG4] a retain removing the author\'s own deletion mark withdraws that part', () => {
    const d = new Delta().insert('a').insert('bc', del(alice)).insert('\n');
    const s = value(toSuggestion(d, new Delta().retain(2).retain(1, { [DELETE_MARK]: null }), { ...alice, id: 'c1:9' }));
    expect(after(d, s).ops).toEqual([{ insert: 'a' }, { insert: 'b', attributes: del(alice) }, { insert: 'c\n' }]);
  });

  it('[SG5] typing next to one\'s own proposed text joins that suggestion', () => {
    const d = new Delta().insert('a').insert('XY', ins(alice)).insert('b\n');
    const later = { ...alice, id: 'c1:5' };
    expect(value(toSuggestion(d, new Delta().retain(3).insert('Z'), later)).ops).toEqual([{ retain: 3 }, { insert: 'Z', attributes: ins(alice) }]);
    expect(value(toSuggestion(d, new Delta().insert('W'), later)).ops).toEqual([{ insert: 'W', attributes: ins(later) }]);
  });

  it('[SG5] deleting a word and typing its replacement is one suggestion', () => {
    let d = doc('the cat sat\n');
    d = after(d, value(toSuggestion(d, new Delta().retain(4).delete(3), alice)));
    d = after(d, value(toSuggestion(d, new Delta().retain(7).insert('dog'), { ...alice, id: 'c1:2' })));
    expect(openSuggestions(d)).toEqual([{ id: 'c1:1', author: 'alice', insertedText: 'dog', deletedText: 'cat', ranges: [{ index: 4, length: 6 }] }]);
  });

  it('[SG5] another author\'s neighbouring suggestion is never joined', () => {
    const d = new Delta().insert('a').insert('XY', ins(bob)).insert('b\n');
    expect(value(toSuggestion(d, new Delta().retain(3).insert('Z'), alice)).ops).toEqual([{ retain: 3 }, { insert: 'Z', attributes: ins(alice) }]);
  });

  it('[SG6] refuses marks naming someone else, unknown ids, and ids someone else owns', () => {
    const d = new Delta().insert('a').insert('XY', ins(bob)).insert('b\n');
    expect(reason(toSuggestion(d, new Delta().insert('Z', ins(bob)), alice))).toBe('FOREIGN_AUTHOR');
    expect(reason(toSuggestion(d, new Delta().insert('Z', ins(alice, 'c9:9')), alice))).toBe('UNKNOWN_SUGGESTION');
    expect(reason(toSuggestion(d, new Delta().insert('Z', ins(alice, bob.id)), alice))).toBe('FOREIGN_SUGGESTION');
    // The server's record: an own suggestion closed meanwhile may be extended; a reused clientId may not.
    const owners: Record<string, string> = { 'c9:9': 'alice', 'c1:1': 'bob' };
    const authorOf = (id: string) => owners[id];
    expect(reason(toSuggestion(d, new Delta().insert('Z', ins(alice, 'c9:9')), { ...alice, id: 'c1:3', authorOf }))).toBe('ok');
    expect(reason(toSuggestion(d, new Delta().insert('Z'), { ...alice, authorOf }))).toBe('FOREIGN_SUGGESTION');
  });

  it('[SG6] refuses an insertion mark on a retain and a deletion mark on an insert', () => {
    const d = new Delta().insert('XY', ins(alice)).insert('\n');
    expect(reason(toSuggestion(d, new Delta().retain(2, { [INSERT_MARK]: null }), alice))).toBe('MISPLACED_MARK');
    expect(reason(toSuggestion(d, new Delta().retain(2, ins(alice)), alice))).toBe('MISPLACED_MARK');
    expect(reason(toSuggestion(d, new Delta().insert('q', del(alice)), alice))).toBe('MISPLACED_MARK');
  });

  it('[SG7] refuses inserting inside, deleting or withdrawing someone else\'s proposed text, naming it', () => {
    const d = new Delta().insert('a').insert('XY', ins(bob)).insert('b').insert('cd', del(bob, 'c2:2')).insert('\n');
    const inside = toSuggestion(d, new Delta().retain(2).insert('Z'), alice);
    expect(inside.ok || [inside.reason, inside.message]).toEqual(['FOREIGN_SUGGESTION', 'ops[1]: inserts inside suggestion c2:1 (a proposed insertion by bob); insert before or after it, or ask for it to be accepted or rejected first.']);
    expect(reason(toSuggestion(d, new Delta().retain(5).insert('Z'), alice))).toBe('FOREIGN_SUGGESTION');
    expect(reason(toSuggestion(d, new Delta().retain(2).delete(1), alice))).toBe('FOREIGN_SUGGESTION');
    expect(reason(toSuggestion(d, new Delta().retain(4).retain(1, { [DELETE_MARK]: null }), alice))).toBe('FOREIGN_SUGGESTION');
    // Edges are outside: before and after someone's suggestion is fine.
    expect(reason(toSuggestion(d, new Delta().retain(1).insert('Z'), alice))).toBe('ok');
    expect(reason(toSuggestion(d, new Delta().retain(3).insert('Z'), alice))).toBe('ok');
    // The author may write inside their own.
    expect(reason(toSuggestion(d, new Delta().retain(2).insert('Z'), bob))).toBe('ok');
  });

  it('[SG14] refuses format changes, naming the formats and what to do', () => {
    const r = toSuggestion(doc('ab\n'), new Delta().retain(2, { bold: true, italic: true }), alice);
    expect(r.ok || [r.code, r.reason, r.message]).toEqual([
      'BAD_USER_INPUT',
      'FORMAT_NOT_SUGGESTIBLE',
      'ops[0]: suggestions propose insertions and deletions only; a format change (bold, italic) cannot be suggested. Ask an editor, or switch to Editing if you may edit.',
    ]);
  });

  it('[SG13] an op that does not fit is refused with lib/ot\'s message', () => {
    const r = toSuggestion(doc('ab\n'), new Delta().retain(2).delete(1), alice);
    expect(r.ok || [r.reason, r.message]).toEqual(['DOES_NOT_FIT', expect.stringMatching(/final newline/)]);
  });

  it('[SG2][SG13] a retain marking the final newline for deletion is refused like deleting it', () => {
    expect(reason(toSuggestion(doc('ab\n'), new Delta().retain(2).retain(1, del(alice)), alice))).toBe('DOES_NOT_FIT');
  });

  it('[SG13] misuse with an author or id outside SG1 throws', () => {
    expect(() => toSuggestion(doc('\n'), new Delta(), { author: 'a|b', id: 'x' })).toThrow(RangeError);
    expect(() => toSuggestion(doc('\n'), new Delta(), { author: 'a', id: 'x y' })).toThrow(RangeError);
  });

  it('[SG8] the converted op converts to itself, and checkSuggestion tells converted from plain [SG9]', () => {
    const d = new Delta().insert('a').insert('XY', ins(alice)).insert('bcd\n');
    const op = new Delta().retain(1).delete(3).insert('Q').retain(1).delete(1);
    const s = value(toSuggestion(d, op, { ...alice, id: 'c1:2' }));
    expect(value(toSuggestion(d, s, { ...alice, id: 'c1:2' })).ops).toEqual(s.ops);
    expect(reason(checkSuggestion(d, s, { ...alice, id: 'c1:2' }))).toBe('ok');
    expect(reason(checkSuggestion(d, op, { ...alice, id: 'c1:2' }))).toBe('MISPLACED_MARK');
  });
});

describe('checkEdit', () => {
  const d = new Delta().insert('a').insert('XY', ins(bob)).insert('b').insert('cd', del(alice)).insert('\n');

  it('[SG11] refuses writing or removing marks in a plain edit', () => {
    expect(reason(checkEdit(d, new Delta().insert('q', ins(alice)), 'alice'))).toBe('MARK_IN_EDIT');
    expect(reason(checkEdit(d, new Delta().retain(1).retain(2, { [INSERT_MARK]: null }), 'alice'))).toBe('MARK_IN_EDIT');
  });

  it('[SG11] refuses inserting inside or deleting someone else\'s proposed text', () => {
    expect(reason(checkEdit(d, new Delta().retain(2).insert('q'), 'alice'))).toBe('FOREIGN_SUGGESTION');
    expect(reason(checkEdit(d, new Delta().delete(2), 'alice'))).toBe('FOREIGN_SUGGESTION');
  });

  it('[SG11] allows formats on any text, edits at a suggestion\'s edges, and changes to one\'s own proposed text', () => {
    expect(reason(checkEdit(d, new Delta().retain(6, { bold: true }), 'alice'))).toBe('ok');
    expect(reason(checkEdit(d, new Delta().retain(1).insert('q').retain(2).insert('r'), 'alice'))).toBe('ok');
    expect(reason(checkEdit(d, new Delta().retain(4).delete(2), 'alice'))).toBe('ok');
    expect(reason(checkEdit(d, new Delta().retain(1).delete(2), 'bob'))).toBe('ok');
  });
});

describe('accept and reject', () => {
  // "the cat sat": alice proposes replacing "cat" with "dog"; bob proposes deleting "sat".
  const d = new Delta()
    .insert('the ')
    .insert('cat', del(alice))
    .insert('dog', { italic: true, ...ins(alice) })
    .insert(' ')
    .insert('sat', del(bob))
    .insert('\n');

  it('[SG12] accepting keeps insertions (formats too) and removes deletions, in one op', () => {
    const done = after(d, value(acceptOp(d, alice.id)));
    expect(done.ops).toEqual([{ insert: 'the ' }, { insert: 'dog', attributes: { italic: true } }, { insert: ' ' }, { insert: 'sat', attributes: del(bob) }, { insert: '\n' }]);
  });

  it('[SG12] rejecting removes insertions and keeps deletions, in one op', () => {
    const done = after(d, value(rejectOp(d, alice.id)));
    expect(done.ops).toEqual([{ insert: 'the cat ' }, { insert: 'sat', attributes: del(bob) }, { insert: '\n' }]);
  });

  it('[SG12] a suggestion no text carries is NOT_FOUND', () => {
    const r = acceptOp(doc('a\n'), 'c1:1');
    expect(r.ok || [r.code, r.reason]).toEqual(['NOT_FOUND', 'NO_SUCH_SUGGESTION']);
    expect(reason(rejectOp(after(d, value(rejectOp(d, bob.id))), bob.id))).toBe('NO_SUCH_SUGGESTION');
  });

  it('[SG12] resolving everything gives the resolved views', () => {
    const all = after(after(d, value(acceptOp(d, alice.id))), value(acceptOp(after(d, value(acceptOp(d, alice.id))), bob.id)));
    expect(all.ops).toEqual(resolvedView(d, 'accepted').ops);
    expect(resolvedView(d, 'original').ops).toEqual([{ insert: 'the cat sat\n' }]);
  });
});

describe('read helpers', () => {
  it('[SG10] lists open suggestions in document order with their texts and ranges', () => {
    const d = new Delta()
      .insert('x')
      .insert('B1', ins(bob))
      .insert('y')
      .insert('A1', del(alice))
      .insert({ image: 'https://example.com/a.png' }, ins(alice))
      .insert('z')
      .insert('B2', del(bob))
      .insert('\n');
    expect(openSuggestions(d)).toEqual([
      { id: 'c2:1', author: 'bob', insertedText: 'B1', deletedText: 'B2', ranges: [{ index: 1, length: 2 }, { index: 8, length: 2 }] },
      { id: 'c1:1', author: 'alice', insertedText: '\uFFFC', deletedText: 'A1', ranges: [{ index: 4, length: 3 }] },
    ]);
    expect(findSuggestion(d, 'c1:1')?.author).toBe('alice');
    expect(findSuggestion(d, 'nope')).toBeNull();
  });

  it('[SG2] checkMarkedDocument refuses two marks on one run, a marked final newline and an id with two authors', () => {
    expect(reason(checkMarkedDocument(new Delta().insert('a', { ...ins(alice), ...del(alice) }).insert('\n')))).toBe('MISPLACED_MARK');
    expect(reason(checkMarkedDocument(new Delta().insert('a\n', ins(alice))))).toBe('MISPLACED_MARK');
    expect(reason(checkMarkedDocument(new Delta().insert('a', ins(alice)).insert('b', del({ author: 'bob', id: alice.id })).insert('\n')))).toBe('FOREIGN_AUTHOR');
    expect(reason(checkMarkedDocument(new Delta().insert('a', ins(alice)).insert('b', del(alice)).insert('\n')))).toBe('ok');
  });
});

describe('concurrency and portability', () => {
  it('[SG15] the races the server settles differently from the editor, or refuses', () => {
    // Alice deletes "Y" of her own proposal (so it really goes) while an editor accepts the proposal:
    // at head "Y" is plain text, so the server proposes its deletion instead.
    const d = new Delta().insert('a').insert('XY', ins(alice)).insert('\n');
    const mine = value(toSuggestion(d, new Delta().retain(2).delete(1), alice));
    expect(mine.ops).toEqual([{ retain: 2 }, { delete: 1 }]);
    const accept = value(acceptOp(d, alice.id));
    const later = { ...alice, id: 'c1:7' };
    expect(value(toSuggestion(after(d, accept), transform(mine, accept, 'right'), later)).ops).toEqual([{ retain: 2 }, { retain: 1, attributes: del(later) }]);
    // Alice inserts between "b" and "c" while Bob proposes deleting "bc": at head the insert is inside Bob's proposal.
    const e = doc('abcd\n');
    const bobs = value(toSuggestion(e, new Delta().retain(1).delete(2), bob));
    const alices = value(toSuggestion(e, new Delta().retain(2).insert('Z'), alice));
    expect(reason(toSuggestion(after(e, bobs), transform(alices, bobs, 'right'), alice))).toBe('FOREIGN_SUGGESTION');
    // Two people proposing to delete the same text: the first one sequenced keeps it (S3).
    const alicesDelete = value(toSuggestion(e, new Delta().retain(1).delete(2), alice));
    const carried = transform(alicesDelete, bobs, 'right');
    expect(value(toSuggestion(after(e, bobs), carried, alice)).ops).toEqual(carried.ops);
    expect(after(after(e, bobs), carried).ops).toEqual(after(e, bobs).ops);
  });

  it('[SG1] the suggestion modules are browser-safe: no Node imports, no Buffer or process', () => {
    for (const file of ['suggestion.ts', 'suggestion-marks.ts']) {
      const source = readFileSync(new URL(`../../lib/ot/${file}`, import.meta.url), 'utf8');
      expect(source).not.toMatch(/from ['"]node:|require\(|\bBuffer\b|\bprocess\./);
    }
  });
});
