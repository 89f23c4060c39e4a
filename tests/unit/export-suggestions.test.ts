/** Exports show open suggestions [SG17]: HTML ins/del, CriticMarkup in Markdown and text, Word tracked changes, PDF. */
import { inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { toDocx } from '../../lib/export/docx.ts';
import { toHtmlBody } from '../../lib/export/html.ts';
import { toMarkdown } from '../../lib/export/markdown.ts';
import { toPdf } from '../../lib/export/pdf.ts';
import { toText } from '../../lib/export/text.ts';
import { importFile } from '../../lib/import/import-file.ts';
import { Delta } from '../../lib/ot/operation.ts';
import { DELETE_MARK, encodeMark, INSERT_MARK, resolvedView } from '../../lib/ot/suggestion.ts';

const ins = (id: string, author: string) => ({ [INSERT_MARK]: encodeMark(id, author) });
const del = (id: string, author: string) => ({ [DELETE_MARK]: encodeMark(id, author) });

// "The cat sat." with alice proposing "dog" (bold) for "cat" and bob proposing a new line "Fin".
const doc = new Delta()
  .insert('The ')
  .insert('cat', del('c1:1', 'alice'))
  .insert('do', ins('c1:1', 'alice'))
  .insert('g', { bold: true, ...ins('c1:1', 'alice') })
  .insert(' sat.\n')
  .insert('Fin\n', ins('c2:1', 'bob'))
  .insert('\n');

/** The text of one file in a .docx (a zip): read from the central directory. */
function zipEntry(zip: Buffer, name: string): string {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let at = zip.readUInt32LE(end + 16);
  const count = zip.readUInt16LE(end + 10);
  for (let i = 0; i < count; i++) {
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const skip = nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    if (zip.toString('utf8', at + 46, at + 46 + nameLength) === name) {
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const data = zip.subarray(start, start + size);
      return (method === 8 ? inflateRawSync(data) : data).toString('utf8');
    }
    at += 46 + skip;
  }
  throw new Error(`${name} not in the zip`);
}

describe('exports show suggestions', () => {
  it('[SG17] HTML: one <ins>/<del> per proposal and line, naming the suggestion and its author, formats inside', () => {
    expect(toHtmlBody(doc)).toBe(
      [
        '<p>The <del class="suggestion" data-suggestion="c1:1" data-author="alice">cat</del><ins class="suggestion" data-suggestion="c1:1" data-author="alice">do<strong>g</strong></ins> sat.</p>',
        '<p><ins class="suggestion" data-suggestion="c2:1" data-author="bob">Fin</ins></p>',
        '<p><br></p>',
      ].join('\n'),
    );
  });

  it('[SG17] text and Markdown: CriticMarkup', () => {
    expect(toText(doc)).toBe('The {--cat--}{++dog++} sat.\n{++Fin++}\n\n');
    expect(toMarkdown(doc)).toBe('The {--cat--}{++do**g**++} sat.\n\n{++Fin++}\n\n<br>\n');
  });

  it('[SG17] text without suggestions is unchanged', () => {
    const plain = new Delta().insert('a').insert('b', { bold: true }).insert({ image: 'https://example.com/i.png' }).insert('\nc\n');
    expect(toText(plain)).toBe('ab\nc\n');
  });

  it('[SG17] DOCX: Word tracked changes with the author\'s name and the given date', async () => {
    const bytes = await toDocx(doc, 'T', { authorName: (id) => (id === 'alice' ? 'Alice A.' : 'Bob B.'), date: new Date('2026-01-02T03:04:05.678Z') });
    const xml = zipEntry(bytes, 'word/document.xml');
    expect(xml).toMatch(/<w:del w:id="1" w:author="Alice A\." w:date="2026-01-02T03:04:05Z">.*<w:delText[^>]*>cat<\/w:delText>/);
    expect(xml).toMatch(/<w:ins w:id="2" w:author="Alice A\." w:date="2026-01-02T03:04:05Z">.*<w:t[^>]*>do<\/w:t>/);
    expect(xml).toMatch(/<w:ins w:id="4" w:author="Bob B\."/);
    // Word (and mammoth, which lib/import uses) read the document as if the changes were accepted.
    const back = await importFile(new Uint8Array(bytes), 'docx', 'x.docx');
    if (!back.ok) expect.fail(back.message);
    expect(toText(back.content).replace(/\n+/g, '\n')).toBe(toText(resolvedView(doc, 'accepted')).replace(/\n+/g, '\n'));
  });

  it('[SG17] PDF: proposed text is drawn in the suggestion colours', async () => {
    const pdf = (await toPdf(doc, 'T', { compress: false })).toString('latin1');
    // #b3261e then the struck-through line, then "cat"; #1e7f3c then the underline, then "do".
    expect(pdf).toMatch(/0\.70196\d* 0\.14901\d* 0\.11764\d* scn\n[^T]*\n1 w\n[^T]*\bS\n[\s\S]*?\[<636174> 0\] TJ/);
    expect(pdf).toMatch(/0\.11764\d* 0\.49803\d* 0\.23529\d* scn\n[^T]*\n1 w\n[^T]*\bS\n[\s\S]*?\[<646f> 0\] TJ/);
  });
});
