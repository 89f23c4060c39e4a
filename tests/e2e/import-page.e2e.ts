/**
 * Issue 20 item 4 from the documents page, in Chromium: Import… takes a committed Markdown,
 * HTML or Word fixture and opens the new document with every format kept; a corrupt file and a
 * file over the size limit are refused with a message saying what to do, and nothing is created.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editorText, graphqlAs, screenshot, signUp, until, waitEditable, type Person } from './support.ts';

const fixtures = path.resolve(import.meta.dirname, '../fixtures/import');
const expected = (JSON.parse(readFileSync(path.join(fixtures, 'formats.json'), 'utf8')) as { ops: unknown[] }).ops;

let yuri: Person;

beforeAll(async () => {
  yuri = await signUp('Yuri Young');
});

afterAll(async () => {
  await yuri?.context.close();
});

const LIST = 'query { documents(first: 100) { edges { node { id } } } }';
const count = async () => (await graphqlAs<{ documents: { edges: unknown[] } }>(yuri, LIST, {})).documents.edges.length;

describe('Import… on the documents page (issue 20 item 4)', () => {
  it('imports each committed fixture (.md, .html, .docx) and opens it with headings, marks, lists, links, quotes and code kept', async () => {
    const { page } = yuri;
    for (const [file, title] of [['formats.md', 'formats'], ['formats.html', 'Release notes (HTML)'], ['formats.docx', 'formats']] as const) {
      await page.goto('/');
      await page.getByRole('heading', { name: 'Documents' }).waitFor();
      await page.getByTestId('import-file').setInputFiles(path.join(fixtures, file));
      await page.waitForURL(/\/docs\/[^/]+$/);
      await waitEditable(page);
      const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
      const { document } = await graphqlAs<{ document: { title: string; content: { ops: unknown[] } } }>(yuri, 'query($d: ID!) { document(id: $d) { title content } }', { d: id });
      expect(document.title).toBe(title);
      expect(document.content.ops).toEqual(expected);
      // What the editor shows: the heading as a heading, the marks as marks.
      expect(await page.locator('.ql-editor h1').textContent()).toBe('Release notes');
      expect(await page.locator('.ql-editor strong').textContent()).toBe('bold');
      expect(await page.locator('.ql-editor a').getAttribute('href')).toBe('https://example.com/docs?page=1');
      expect(await editorText(page)).toContain('The end.');
    }
  });

  it('a corrupt .docx and a file over 5 MiB are refused with a message saying what to do; nothing is created', async () => {
    const { page } = yuri;
    const before = await count();
    await page.goto('/');
    await page.getByRole('heading', { name: 'Documents' }).waitFor();
    await page.getByTestId('import-file').setInputFiles(path.join(fixtures, 'corrupt.docx'));
    const alert = page.locator('.import-document [role="alert"]');
    await until(() => alert.textContent(), (t) => (t ?? '').includes('could not be read'), 'the corrupt-file message');
    expect(await alert.textContent()).toMatch(/damaged or not a Word document.*save it again as \.docx/);
    await screenshot(page, 'documents-import-error.png');
    await page.getByTestId('import-file').setInputFiles({ name: 'huge.md', mimeType: 'text/markdown', buffer: Buffer.alloc(6 * 1024 * 1024, 'a') });
    await until(() => alert.textContent(), (t) => (t ?? '').includes('5.0 MiB'), 'the too-large message');
    expect(await alert.textContent()).toBe('"huge.md" is 6.0 MiB; files up to 5.0 MiB can be imported.');
    expect(page.url()).toMatch(/\/$/);
    expect(await count()).toBe(before);
  });
});
