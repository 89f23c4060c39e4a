/**
 * Import and export as files (issue 20 item 4) on real files committed under tests/fixtures/import:
 * each importer yields the formats the editor has; export → import keeps them for HTML, Markdown
 * and DOCX; hostile markup is dropped; corrupt, unsupported and too-large files get stable codes.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Delta } from '../../lib/ot/operation.ts';
import { toDocx } from '../../lib/export/docx.ts';
import { toHtml } from '../../lib/export/html.ts';
import { toMarkdown } from '../../lib/export/markdown.ts';
import { toPdf } from '../../lib/export/pdf.ts';
import { htmlToDelta } from '../../lib/import/html-to-delta.ts';
import { IMPORT_MAX_BYTES, importFile, importFormatOf, type ImportFormat } from '../../lib/import/import-file.ts';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../fixtures/import/${name}`, import.meta.url)));
const expected = new Delta(JSON.parse(readFileSync(new URL('../fixtures/import/formats.json', import.meta.url), 'utf8')).ops);

async function imported(bytes: Uint8Array, format: ImportFormat, filename: string): Promise<Delta> {
  const result = await importFile(bytes, format, filename);
  if (!result.ok) throw new Error(`${result.code}: ${result.message}`);
  return result.content;
}

describe('import keeps the editor formats', () => {
  it('imports the committed Markdown file with headings, bold, italic, underline, strike, lists, links, quotes and code', async () => {
    expect((await imported(fixture('formats.md'), 'markdown', 'formats.md')).ops).toEqual(expected.ops);
  });

  it('imports the committed HTML file the same way, titled by its <title>', async () => {
    const result = await importFile(fixture('formats.html'), 'html', 'formats.html');
    expect(result.ok && result.content.ops).toEqual(expected.ops);
    expect(result.ok && result.title).toBe('Release notes (HTML)');
  });

  it('imports the committed DOCX file (written by the DOCX export) the same way', async () => {
    expect((await imported(fixture('formats.docx'), 'docx', 'formats.docx')).ops).toEqual(expected.ops);
  });

  it('imports Word-made files (from mammoth’s test data): underline, strike and a list', async () => {
    const underline = await imported(fixture('word-underline.docx'), 'docx', 'word-underline.docx');
    expect(underline.ops.some((op) => op.attributes?.underline === true)).toBe(true);
    const strike = await imported(fixture('word-strikethrough.docx'), 'docx', 'word-strikethrough.docx');
    expect(strike.ops.some((op) => op.attributes?.strike === true)).toBe(true);
    const list = await imported(fixture('word-simple-list.docx'), 'docx', 'word-simple-list.docx');
    expect(list.ops.filter((op) => op.attributes?.list === 'bullet').length).toBeGreaterThanOrEqual(2);
  });
});

describe('round trip: export, then import', () => {
  it('keeps every format through HTML', async () => {
    expect((await imported(new TextEncoder().encode(toHtml(expected, 'T')), 'html', 'x.html')).ops).toEqual(expected.ops);
  });

  it('keeps every format through Markdown', async () => {
    expect((await imported(new TextEncoder().encode(toMarkdown(expected)), 'markdown', 'x.md')).ops).toEqual(expected.ops);
  });

  it('keeps every format through DOCX', async () => {
    expect((await imported(new Uint8Array(await toDocx(expected, 'T')), 'docx', 'x.docx')).ops).toEqual(expected.ops);
  });

  it('keeps empty lines and a second list numbered from 1 through DOCX', async () => {
    const doc = new Delta().insert('a').insert('\n', { list: 'ordered' }).insert('\n').insert('b').insert('\n', { list: 'ordered' }).insert('end\n');
    expect((await imported(new Uint8Array(await toDocx(doc, 'T')), 'docx', 'x.docx')).ops).toEqual(doc.ops);
  });
});

describe('hostile and broken files', () => {
  it('drops scripts, event handlers, unsafe links, frames, forms and unknown markup, keeping the text', async () => {
    const doc = await imported(fixture('hostile.html'), 'html', 'hostile.html');
    const text = doc.ops.map((op) => (typeof op.insert === 'string' ? op.insert : '')).join('');
    expect(text).toContain('Safe text');
    expect(text).toContain('span text font text moving');
    expect(text).toContain('js link data link relative');
    for (const bad of ['alert', 'cookie', 'secret', 'display: none', 'svg text', 'Go']) expect(text).not.toContain(bad);
    expect(doc.ops.every((op) => op.attributes?.link === undefined)).toBe(true);
    expect(doc.ops.every((op) => typeof op.insert === 'string')).toBe(true);
  });

  it('answers FILE_UNREADABLE for a corrupt .docx', async () => {
    const result = await importFile(fixture('corrupt.docx'), 'docx', 'corrupt.docx');
    expect(result).toMatchObject({ ok: false, code: 'FILE_UNREADABLE' });
  });

  it('answers FILE_UNREADABLE for Markdown that is not UTF-8', async () => {
    const result = await importFile(new Uint8Array([0x48, 0xff, 0xfe, 0x00]), 'markdown', 'x.md');
    expect(result).toMatchObject({ ok: false, code: 'FILE_UNREADABLE' });
  });

  it('answers PAYLOAD_TOO_LARGE above the byte limit, before parsing', async () => {
    const result = await importFile(new Uint8Array(IMPORT_MAX_BYTES + 1), 'html', 'x.html');
    expect(result).toMatchObject({ ok: false, code: 'PAYLOAD_TOO_LARGE' });
  });

  it('knows formats by extension, then by media type, and nothing else', () => {
    expect(importFormatOf('Notes.MD', null)).toBe('markdown');
    expect(importFormatOf('a.docx', 'text/plain')).toBe('docx');
    expect(importFormatOf(null, 'text/html; charset=utf-8')).toBe('html');
    expect(importFormatOf('a.pdf', 'application/pdf')).toBeNull();
  });

  it('an empty file becomes an empty document', () => {
    expect(htmlToDelta('').ops).toEqual([{ insert: '\n' }]);
  });
});

describe('PDF export', () => {
  it('is a PDF with the title, the text drawn and links clickable', async () => {
    const pdf = (await toPdf(expected, 'Release notes', { compress: false })).toString('latin1');
    expect(pdf.startsWith('%PDF-')).toBe(true);
    expect(pdf.trimEnd().endsWith('%%EOF')).toBe(true);
    expect(pdf).toContain('/URI (https://example.com/docs?page=1)');
    expect(pdf).toMatch(/\/Title \d+ 0 R/);
    expect(pdf).toContain('(Release notes)');
    expect(pdf).toMatch(/\/BaseFont \/Helvetica-Bold/);
    expect(pdf).toMatch(/\/BaseFont \/Courier/);
  });
});
