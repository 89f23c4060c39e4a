/**
 * Issue 20 item 1, the edges of edits kept offline, in Chromium: keystrokes typed right before
 * the tab is closed (no pause at all) are kept; signing out with unsent edits asks first, and
 * cancelling keeps them while confirming deletes them from the browser; edits the server refuses
 * for good once the tab is reopened (the document went to the trash) are shown to copy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { caretToEnd, createDocument, editorText, graphqlAs, openDocument, screenshot, serverText, signIn, signUp, until, waitEditable, type Person } from './support.ts';

const status = (page: Page) => page.getByTestId('save-status').textContent();

/** How many snapshots this browser keeps in IndexedDB (lib/api-client/offline-store.ts), anyone's. */
const keptSnapshots = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('verso-offline');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('unsent')) return void (db.close(), resolve(0));
          const count = db.transaction('unsent').objectStore('unsent').count();
          count.onsuccess = () => void (db.close(), resolve(count.result));
          count.onerror = () => reject(count.error);
        };
      }),
  );

let wes: Person;

beforeAll(async () => {
  wes = await signUp('Wes Warren');
});

afterAll(async () => {
  await wes?.context.close();
});

/**
 * In a new tab of `person`: opens the document, goes offline, types `text` at the end without a
 * pause between keys, and closes the tab at once (no beforeunload prompt, no wait). Back online.
 */
async function typeOfflineAndClose(person: Person, documentId: string, text: string, { delay = 0 } = {}): Promise<void> {
  const page = await person.context.newPage();
  await openDocument(page, documentId);
  await waitEditable(page);
  await person.context.setOffline(true);
  await until(() => status(page), (t) => (t ?? '').startsWith('Offline'), 'the editor to say it is offline');
  await caretToEnd(page);
  await page.keyboard.type(text, { delay });
  await page.close({ runBeforeUnload: false });
  await person.context.setOffline(false);
}

describe('the last keystrokes before the tab closes (issue 20 item 1)', () => {
  it('text typed offline with the tab closed right after the last key is all there on reopening, and saved once', async () => {
    const documentId = await createDocument(wes, 'Closed at once');
    // Wes's first tab stays open on the document (createDocument left it there), online and
    // saved: it must neither take nor delete what the closed tabs kept.
    let expected = '';
    for (const text of ['The last words before closing.', ' Then again, straight away.', ' And a third time, quickly!']) {
      await typeOfflineAndClose(wes, documentId, text);
      expected += text;
      const page = await wes.context.newPage();
      await openDocument(page, documentId);
      await until(() => editorText(page), (t) => t === expected, 'every keystroke to be kept', 10_000);
      await until(() => status(page), (t) => t === 'Saved', 'Saved', 30_000);
      expect((await serverText(wes, documentId)).text).toBe(expected);
      await page.close();
    }
  });
});

describe('signing out with unsent edits (issue 20 item 1)', () => {
  it('asks first; cancelling keeps the edits, confirming deletes them from this browser', async () => {
    const documentId = await createDocument(wes, 'Unsent at sign-out');
    await typeOfflineAndClose(wes, documentId, 'Never sent.', { delay: 5 });
    const page = await wes.context.newPage();
    await page.goto('/');
    await page.getByRole('heading', { name: 'Documents' }).waitFor();
    expect(await keptSnapshots(page)).toBe(1);

    const asked: string[] = [];
    page.once('dialog', (dialog) => void (asked.push(dialog.message()), dialog.dismiss()));
    await page.getByRole('button', { name: 'Sign out' }).click();
    await until(async () => asked.length, (n) => n === 1, 'the question');
    expect(asked[0]).toMatch(/^\d+ changes you made have not reached the server yet\. Signing out deletes them from this browser\. Sign out anyway\?$/);
    await page.waitForTimeout(500);
    expect(await page.getByRole('heading', { name: 'Documents' }).count()).toBe(1); // still signed in
    expect(await keptSnapshots(page)).toBe(1);

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('link', { name: /sign in/i }).first().waitFor();
    expect(await keptSnapshots(page)).toBe(0);

    // Signed in again, the document holds none of it, and nothing is resent.
    await signIn(page, wes.email);
    await openDocument(page, documentId);
    await waitEditable(page);
    expect(await editorText(page)).toBe('');
    expect((await serverText(wes, documentId)).text).toBe('');
    await page.close();
  });
});

describe('kept edits the server refuses for good (issue 20 item 1)', () => {
  it('the document went to the trash meanwhile: reopening says so and offers the kept text to copy, then forgets it', async () => {
    const documentId = await createDocument(wes, 'Trashed meanwhile');
    const xia = await signUp('Xia Xu');
    try {
      await graphqlAs(wes, 'mutation($d: ID!, $e: String!) { shareDocument(documentId: $d, email: $e, role: EDITOR) { role } }', { d: documentId, e: xia.email });
      await typeOfflineAndClose(xia, documentId, 'Kept while the owner trashed it.', { delay: 5 });
      await graphqlAs(wes, 'mutation($d: ID!) { moveDocumentToTrash(id: $d) { id } }', { d: documentId });

      const page = await xia.context.newPage();
      await openDocument(page, documentId);
      const panel = page.getByTestId('unsent-edits');
      await panel.waitFor();
      await page.getByTestId('editor-fatal').waitFor();
      expect(await panel.getByLabel('Text that was not saved').inputValue()).toBe('Kept while the owner trashed it.');
      expect(await panel.getByRole('button', { name: 'Copy text' }).count()).toBe(1);
      // Told consistently: nothing says the edits are still being saved, or that they are gone.
      expect(await page.getByTestId('editor-fatal').textContent()).toContain('Your changes that were not saved are shown above');
      expect(await status(page)).toBe('Not saved');
      await screenshot(page, 'offline-edits-refused.png');
      await until(() => keptSnapshots(page), (n) => n === 0, 'the refused edits to be forgotten');
    } finally {
      await xia.context.close();
    }
  });
});

describe('edits kept by the previous version of the store (issue 20 item 1)', () => {
  it('a record of the one-per-document store (IndexedDB version 1) is moved to its tab and resumed', async () => {
    const documentId = await createDocument(wes, 'Kept by version 1');
    await wes.page.goto('/'); // no editor holds the database open while the test rewinds it
    const page = await wes.context.newPage();
    await page.goto('/');
    await page.getByRole('heading', { name: 'Documents' }).waitFor();
    // The store as version 1 left it: keyed [userId, documentId], holding one snapshot.
    await page.evaluate(
      ({ documentId }) =>
        new Promise<void>((resolve, reject) => {
          const userId = (JSON.parse(localStorage.getItem('verso-offline-identity')!) as { id: string }).id;
          indexedDB.deleteDatabase('verso-offline').onsuccess = () => {
            const open = indexedDB.open('verso-offline', 1);
            open.onupgradeneeded = () => open.result.createObjectStore('unsent', { keyPath: ['userId', 'documentId'] }).createIndex('byUser', 'userId');
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
              const snapshot = {
                documentId,
                clientId: crypto.randomUUID(),
                title: 'Kept by version 1',
                role: 'OWNER',
                version: 0,
                content: { ops: [{ insert: '\n' }] },
                inFlight: { clientSeq: 1, op: { ops: [{ insert: 'Kept before the upgrade.' }] } },
                buffer: null,
                edits: 23,
                savedAt: Date.now(),
              };
              const tx = open.result.transaction('unsent', 'readwrite');
              tx.objectStore('unsent').put({ userId, documentId, snapshot });
              tx.oncomplete = () => (open.result.close(), resolve());
              tx.onerror = () => reject(tx.error);
            };
          };
        }),
      { documentId },
    );
    await openDocument(page, documentId);
    await until(() => editorText(page), (t) => t === 'Kept before the upgrade.', 'the version-1 edits to be resumed');
    await until(() => status(page), (t) => t === 'Saved', 'Saved', 30_000);
    expect((await serverText(wes, documentId)).text).toBe('Kept before the upgrade.');
    await until(() => keptSnapshots(page), (n) => n === 0, 'the record to be cleared once saved');
    await page.close();
  });
});
