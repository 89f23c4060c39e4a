/**
 * Issue 20 items 2 and 3 in Chromium: an owner shares by link, a second account opens it and gets
 * the role, replacing the link shuts them out (their open editor included); a signed-out visitor
 * signs up and comes back to the document; the documents page searches content as you type.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseUrl, caretToEnd, createDocument, getBrowser, graphqlAs, screenshot, searchable, serverText, signUp, until, waitEditable, type Person } from './support.ts';

let olga: Person;
let pat: Person;

beforeAll(async () => {
  [olga, pat] = await Promise.all([signUp('Olga Owens'), signUp('Pat Parker')]);
});

afterAll(async () => {
  await Promise.all([olga, pat].filter(Boolean).map((p) => p.context.close()));
});

/** The share link as a path on this server (the page shows it with the server's APP_ORIGIN). */
async function linkFromDialog(person: Person): Promise<string> {
  const url = await until(() => person.page.getByLabel('Link', { exact: true }).inputValue(), (v) => v.includes('#'), 'the share link');
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.hash}`;
}

describe('share by link', () => {
  it('an owner turns the link on as editor; a second account opening it can edit; replacing it shuts them out at once', async () => {
    const id = await createDocument(olga, 'Field notes');
    await caretToEnd(olga.page);
    await olga.page.keyboard.type('Shared by link.');
    await until(() => serverText(olga, id), (s) => s.text === 'Shared by link.', 'the text on the server');

    await olga.page.getByRole('button', { name: 'Share' }).click();
    await olga.page.getByLabel('Access').selectOption('EDITOR');
    const link = await linkFromDialog(olga);
    await olga.page.getByText('Anyone with the link can now open it as editor.').waitFor();
    await screenshot(olga.page, 'share-dialog-link.png');

    await pat.page.goto(link);
    await pat.page.waitForURL(new RegExp(`/docs/${id}$`));
    await waitEditable(pat.page);
    await caretToEnd(pat.page);
    await pat.page.keyboard.type(' Pat was here.');
    await until(() => serverText(olga, id), (s) => s.text === 'Shared by link. Pat was here.', "Pat's edit on the server");
    // The owner sees Pat in the share list, marked as having joined through the link.
    await olga.page.getByRole('button', { name: 'Close sharing' }).click();
    await olga.page.getByRole('button', { name: 'Share' }).click();
    await olga.page.getByText('Joined through the link').waitFor();

    await olga.page.getByRole('button', { name: 'Replace link' }).click();
    await olga.page.getByText('The link was replaced').waitFor();
    const fatal = pat.page.getByTestId('editor-fatal');
    await fatal.waitFor({ timeout: 5_000 });
    expect(await pat.page.locator('.ql-editor').getAttribute('contenteditable')).toBe('false');
    expect(await graphqlAs<{ document: unknown }>(pat, 'query($id: ID!) { document(id: $id) { id } }', { id })).toEqual({ document: null });

    await pat.page.goto(link);
    await pat.page.getByRole('heading', { name: 'This link does not open a document' }).waitFor();
    const fresh = await linkFromDialog(olga);
    expect(fresh).not.toBe(link);
    await pat.page.goto(fresh);
    await pat.page.waitForURL(new RegExp(`/docs/${id}$`));
    await waitEditable(pat.page);
  });

  it('a signed-out visitor opening the link signs up and comes back to the document with the link role', async () => {
    const id = await createDocument(olga, 'Open house');
    const set = await graphqlAs<{ setLinkSharing: { linkSharing: { url: string } } }>(
      olga,
      'mutation($d: ID!) { setLinkSharing(documentId: $d, role: VIEWER) { linkSharing { url } } }',
      { d: id },
    );
    const url = new URL(set.setLinkSharing.linkSharing.url);
    const context = await (await getBrowser()).newContext({ baseURL: baseUrl(), viewport: { width: 1200, height: 800 } });
    try {
      const page = await context.newPage();
      await page.goto(`${url.pathname}${url.hash}`);
      await page.getByRole('heading', { name: 'A document was shared with you' }).waitFor();
      // The secret left the address bar at once.
      expect(new URL(page.url()).hash).toBe('');
      await screenshot(page, 'share-link-signed-out.png');
      await page.getByRole('link', { name: 'Create an account' }).click();
      await page.getByLabel('Name').fill('Quinn Quill');
      await page.getByLabel('Email').fill(`quinn.${process.pid}.${Date.now()}@example.com`);
      await page.getByLabel('Password').fill('correct horse battery staple');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.waitForURL(new RegExp(`/docs/${id}$`));
      await page.getByTestId('save-status').waitFor();
      await until(() => page.locator('.ql-editor').getAttribute('contenteditable'), (v) => v === 'false', 'a read-only editor (viewer)');
    } finally {
      await context.close();
    }
  });
});

describe('search as you type', () => {
  it('finds a document by a word just typed into it, with the word marked; says when nothing matches', async () => {
    const id = await createDocument(olga, 'Garden plan');
    await caretToEnd(olga.page);
    await olga.page.keyboard.type('Plant the tomatoes beside the rhubarb <b>now</b>.');
    await until(() => serverText(olga, id), (s) => s.text.endsWith('now</b>.'), 'the text on the server');
    await searchable(olga, 'rhubarb', 1);
    const { page } = olga;
    await page.goto('/');
    const search = page.getByLabel('Search titles and text');
    await search.pressSequentially('rhub', { delay: 60 });
    const rows = page.locator('.document-row');
    await until(() => rows.locator('.document-title').allTextContents(), (t) => t.join() === 'Garden plan', 'one match for "rhub"');
    await until(() => rows.locator('.snippet mark').allTextContents(), (t) => t.join() === 'rhubarb', 'the marked word');
    // Markup typed into the document is shown as text, never rendered.
    expect(await rows.locator('.snippet b').count()).toBe(0);
    await screenshot(page, 'documents-search.png');

    await search.fill('rhubarbzzz');
    await page.getByText('No documents match “rhubarbzzz”.').waitFor();
  });
});
