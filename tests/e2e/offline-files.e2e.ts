/**
 * Issue 20 items 1 and 4 in Chromium: edits typed offline survive a closed tab and a closed
 * browser (a persistent profile), are resubmitted once the network is back and converge with
 * the server, are never shown to another account on the same profile; the editor's Export menu
 * links to DOCX and PDF files.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { baseUrl, caretToEnd, createDocument, editorText, graphqlAs, LIVE_EDITOR, openDocument, screenshot, serverText, signIn, signUp, until, waitEditable, type Person } from './support.ts';

const status = (page: Page) => page.getByTestId('save-status').textContent();

let una: Person;
let documentId: string;

beforeAll(async () => {
  una = await signUp('Una Underwood');
  documentId = await createDocument(una, 'Offline notes');
});

afterAll(async () => {
  await una?.context.close();
});

/** Types `text` at the end while the browser is offline, then waits for the editor to say so. */
async function typeOffline(context: BrowserContext, page: Page, text: string): Promise<void> {
  await context.setOffline(true);
  await until(() => status(page), (t) => (t ?? '').startsWith('Offline') || (t ?? '').startsWith('Reconnecting'), 'the editor to notice it is offline');
  await caretToEnd(page);
  await page.keyboard.type(text, { delay: 5 });
  await until(() => status(page), (t) => /pending|waiting/.test(t ?? ''), 'the edits to be pending');
}

describe('offline edits (issue 20 item 1)', () => {
  it('edits typed offline survive closing the tab, show at once on reopening, and converge once online', async () => {
    await typeOffline(una.context, una.page, 'Typed on the train.');
    await una.page.close({ runBeforeUnload: false });
    await una.context.setOffline(false);

    const page = await una.context.newPage();
    (una as { page: Page }).page = page;
    await openDocument(page, documentId);
    await until(() => editorText(page), (t) => t.includes('Typed on the train.'), 'the kept edits to show');
    await screenshot(page, 'offline-edits-resumed.png');
    await until(() => status(page), (t) => t === 'Saved', 'Saved');
    const server = await serverText(una, documentId);
    expect(server.text).toBe('Typed on the train.');
    expect(await editorText(page)).toBe(server.text);
  });

  it('edits survive closing the browser (persistent profile); another account on that profile sees none of them', async () => {
    const profile = mkdtempSync(path.join(tmpdir(), 'verso-profile-'));
    const launch = () =>
      chromium.launchPersistentContext(profile, {
        executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
        headless: true,
        baseURL: baseUrl(),
        viewport: { width: 1200, height: 800 },
        args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'],
      });
    const other = await signUp('Vic Vance');
    await graphqlAs(una, 'mutation($d: ID!, $e: String!) { shareDocument(documentId: $d, email: $e, role: EDITOR) { role } }', { d: documentId, e: other.email });
    try {
      let browser = await launch();
      let page = browser.pages()[0] ?? (await browser.newPage());
      await signIn(page, una.email);
      await openDocument(page, documentId);
      await waitEditable(page);
      const before = (await serverText(una, documentId)).text;
      await typeOffline(browser, page, ' Written before the crash.');
      await browser.close();

      // The same profile, online again: the edits come back and are saved once.
      browser = await launch();
      page = browser.pages()[0] ?? (await browser.newPage());
      await openDocument(page, documentId);
      const resumed = await until(() => status(page), (t) => /from your last visit|Saved/.test(t ?? ''), 'the resumed status');
      expect(await editorText(page)).toContain('Written before the crash.');
      if (resumed !== 'Saved') expect(resumed).toMatch(/^1\d* changes? from your last visit|changes? from your last visit/);
      await until(() => status(page), (t) => t === 'Saved', 'Saved');
      expect((await serverText(una, documentId)).text).toBe(`${before} Written before the crash.`);

      // Una types offline again and leaves without signing out; Vic signs in on the same profile.
      await typeOffline(browser, page, ' Una only.');
      await browser.close();
      browser = await launch();
      await browser.clearCookies();
      page = browser.pages()[0] ?? (await browser.newPage());
      await signIn(page, other.email);
      await openDocument(page, documentId);
      await waitEditable(page);
      expect(await editorText(page)).not.toContain('Una only.');
      expect(await status(page)).toBe('Saved');
      expect((await serverText(una, documentId)).text).not.toContain('Una only.');
      await browser.close();
    } finally {
      await other.context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});

describe('export from the editor (issue 20 item 4)', () => {
  it('the Export menu links to Word and PDF files of the document', async () => {
    const { page } = una;
    await openDocument(page, documentId);
    await waitEditable(page);
    await page.locator(LIVE_EDITOR).click();
    await page.getByText('Export', { exact: true }).click();
    await screenshot(page, 'editor-export-menu.png');
    // What each menu item downloads, fetched with the page's own cookies.
    for (const [label, type, magic] of [['Word (.docx)', 'wordprocessingml', 'PK'], ['PDF', 'application/pdf', '%PDF-']] as const) {
      const href = await page.getByRole('menuitem', { name: label }).getAttribute('href');
      const response = await page.context().request.get(href!);
      expect(response.status()).toBe(200);
      expect(response.headers()['content-type']).toContain(type);
      expect(response.headers()['content-disposition']).toContain('attachment; filename="Offline notes.');
      expect((await response.body()).subarray(0, magic.length).toString()).toBe(magic);
    }
  });
});
