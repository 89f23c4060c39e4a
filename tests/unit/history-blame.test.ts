/** Blame (authorship) as a pure function (lib/collab/SPEC.md, H8–H12). */
import { describe, expect, it } from 'vitest';
import { applyAuthorship, authorshipOp, blameAfter, blameSpans, initialBlame, type Blame, type BlamedOp } from '../../lib/collab/blame.ts';
import { replay } from '../../lib/collab/document-loader.ts';
import { apply, Delta, unwrap } from '../../lib/ot/operation.ts';
import { DOC, setup, submission } from '../support/collab-fakes.ts';

const op = (version: number, authorId: string | null, delta: Delta): BlamedOp => ({ version, authorId, delta });
/** Spans as [text, author, version] triples: what a reader of blame sees. */
const view = (content: Delta, blame: Blame) => blameSpans(content, blame.runs).map((s) => [s.text, s.authorId, s.version]);

describe('blame', () => {
  it('[H8] the initial content is version 0, credited to the creator, and covers the document', () => {
    const content = new Delta().insert('Hello ').insert('world', { bold: true }).insert('\n');
    const blame = initialBlame(content, 'owner');
    expect(view(content, blame)).toEqual([['Hello world\n', 'owner', 0]]);
    expect(blameSpans(content, blame.runs)[0]).toMatchObject({ start: 0, length: 12 });
  });

  it('[H9] inserts are credited to their op; [H11] deletes remove and equal neighbours merge', () => {
    let content = new Delta().insert('abc\n');
    let blame = initialBlame(content, null);
    const ops = [
      op(1, 'ann', new Delta().retain(1).insert('XY')), // aXYbc
      op(2, 'bob', new Delta().retain(5).insert('Z')), // aXYbcZ
      op(3, 'cy', new Delta().retain(2).delete(1)), // aXbcZ
      op(4, 'bob', new Delta().retain(1).delete(1)), // abcZ: the two version-0 runs merge again
    ];
    const seen = [];
    for (const o of ops) {
      content = unwrap(apply(content, o.delta));
      blame = blameAfter(blame, [o]);
      seen.push(view(content, blame));
    }
    expect(seen[0]).toEqual([['a', null, 0], ['XY', 'ann', 1], ['bc\n', null, 0]]);
    expect(seen[1]).toEqual([['a', null, 0], ['XY', 'ann', 1], ['bc', null, 0], ['Z', 'bob', 2], ['\n', null, 0]]);
    expect(seen[2]).toEqual([['a', null, 0], ['X', 'ann', 1], ['bc', null, 0], ['Z', 'bob', 2], ['\n', null, 0]]);
    expect(seen[3]).toEqual([['abc', null, 0], ['Z', 'bob', 2], ['\n', null, 0]]);
    expect(blame.version).toBe(4);
  });

  it('[H10] formatting (a retain with attributes, on text or an embed) does not change authorship', () => {
    let content = new Delta().insert('Title\n').insert({ image: 'https://example.com/a.png' }).insert('\n');
    let blame = initialBlame(content, 'ann');
    const bold = op(1, 'bob', new Delta().retain(5, { bold: true }).retain(1, { header: 1 }).retain(1, { link: 'https://example.com' }));
    content = unwrap(apply(content, bold.delta));
    blame = blameAfter(blame, [bold]);
    expect(view(content, blame)).toEqual([['Title\n\uFFFC\n', 'ann', 0]]);
    expect(authorshipOp(bold).ops).toEqual([{ retain: 7 }]);
  });

  it('[H9] a system op (null author) is credited to nobody but keeps its version', () => {
    const content = new Delta().insert('\n');
    const blame = blameAfter(initialBlame(content, 'ann'), [op(1, null, new Delta().insert('auto'))]);
    expect(view(unwrap(apply(content, new Delta().insert('auto'))), blame)).toEqual([['auto', null, 1], ['\n', 'ann', 0]]);
  });

  it('[H12] blame moved forward in chunks equals blame moved forward op by op', () => {
    const content = new Delta().insert('0123456789\n');
    const ops = [
      op(1, 'ann', new Delta().retain(3).insert('aa')),
      op(2, 'bob', new Delta().retain(1).delete(6).insert('b')),
      op(3, 'ann', new Delta().insert('c').retain(2, { italic: true }).insert('cc')),
      op(4, 'cy', new Delta().retain(4).delete(2)),
      op(5, 'bob', new Delta().retain(2).insert('d', { bold: true })),
    ];
    const oneByOne = ops.reduce((b, o) => blameAfter(b, [o]), initialBlame(content, null));
    const chunked = blameAfter(blameAfter(initialBlame(content, null), ops.slice(0, 2)), ops.slice(2));
    expect(chunked).toEqual(oneByOne);
    expect(blameAfter(initialBlame(content, null), ops)).toEqual(oneByOne);
  });

  it('[H12] a version gap is a caller bug and throws; so is an op past the end or runs of another length', () => {
    const blame = initialBlame(new Delta().insert('ab\n'), null);
    expect(() => blameAfter(blame, [op(2, 'ann', new Delta().insert('x'))])).toThrow(/expected version 1/);
    expect(() => applyAuthorship(blame.runs, new Delta().retain(5).delete(1))).toThrow(RangeError);
    expect(() => blameSpans(new Delta().insert('abcd\n'), blame.runs)).toThrow(/cover 3/);
  });

  it('[H9] three users editing concurrently through the sequencer are each credited with what they typed', async () => {
    const { store, sequencer } = await setup('\n');
    // Every submission is made against version 0 or an old version, so the sequencer transforms them.
    const typed = [
      submission(0, 1, new Delta().insert('Alpha '), 'ann'),
      submission(0, 1, new Delta().insert('Bravo '), 'bob'),
      submission(0, 1, new Delta().insert('Charlie '), 'cy'),
      submission(1, 2, new Delta().retain(6).insert('again '), 'ann'),
      submission(2, 2, new Delta().delete(2).insert('BR'), 'bob'),
      submission(3, 2, new Delta().retain(3, { bold: true }), 'cy'),
    ];
    for (const s of typed) expect((await sequencer.submit(s)).kind).toBe('applied');
    const zero = (await store.latestSnapshotAtOrBelow(DOC, 0))!;
    const log = await store.opsAfter(DOC, 0);
    const content = replay(zero, log).content;
    const blame = blameAfter(initialBlame(zero.content, 'owner'), log);
    const spans = blameSpans(content, blame.runs);
    // Ties go to the stored op (S3), so "again " lands after the others; bob replaced ann's "Al".
    expect(spans.map((s) => s.text).join('')).toBe('BRpha Bravo Charlie again \n');
    const byAuthor = (author: string) => spans.filter((s) => s.authorId === author).map((s) => s.text).join('|');
    expect(byAuthor('user-ann')).toBe('pha |again ');
    expect(byAuthor('user-bob')).toBe('BR|Bravo ');
    expect(byAuthor('user-cy')).toBe('Charlie ');
    expect(byAuthor('owner')).toBe('\n');
  });
});
