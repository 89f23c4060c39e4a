/**
 * What search indexes of a document with open suggestions (review of issue 18: the indexer took
 * the plain-text export, so proposed text that may be rejected was searchable as content, and
 * CriticMarkup reached snippets): the text as it reads with no suggestion applied.
 */
import { describe, expect, it } from 'vitest';
import { Delta } from '../../lib/ot/operation.ts';
import { DELETE_MARK, encodeMark, INSERT_MARK } from '../../lib/ot/suggestion.ts';
import { searchableText } from '../../lib/search/search-text.ts';

const ins = (id: string, author: string) => ({ [INSERT_MARK]: encodeMark(id, author) });
const del = (id: string, author: string) => ({ [DELETE_MARK]: encodeMark(id, author) });

describe('searchableText', () => {
  it('leaves proposed insertions out and keeps proposed deletions once, unmarked', () => {
    // "The heron waded." with alice proposing "egret" (bold) for "heron" and bob a new line "Fin".
    const doc = new Delta([
      { insert: 'The ' },
      { insert: 'heron', attributes: del('c1:1', 'alice') },
      { insert: 'eg', attributes: ins('c1:1', 'alice') },
      { insert: 'ret', attributes: { bold: true, ...ins('c1:1', 'alice') } },
      { insert: ' waded.\n' },
      { insert: 'Fin\n', attributes: ins('c2:1', 'bob') },
      { insert: 'End\n' },
    ]);
    expect(searchableText(doc)).toBe('The heron waded.\nEnd\n');
  });

  it('is the plain text of a document without suggestions, embeds skipped', () => {
    const doc = new Delta().insert('Heron ').insert({ image: 'https://example.com/a.png' }).insert('egret', { bold: true }).insert('\n');
    expect(searchableText(doc)).toBe('Heron egret\n');
  });
});
