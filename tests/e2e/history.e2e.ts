/**
 * The history panel: name a version, preview versions with their changes highlighted, restore one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caretToEnd, createDocument, editorText, screenshot, serverText, signUp, until, type Person } from './support.ts';

let fay: Person;
let documentId: string;

beforeAll(async () => {
  fay = await signUp('Fay Fischer', { width: 1280, height: 800 });
  documentId = await createDocument(fay, 'Essay');
});

afterAll(async () => {
  await fay?.context.close();
});

const saved = () => until(() => fay.page.getByTestId('save-status').textContent(), (t) => t === 'Saved', 'Saved');

describe('the history panel', () => {
  it('names a version, previews changes and restores an older version', async () => {
    const { page } = fay;
    await caretToEnd(page);
    await page.keyboard.type('The first draft of my essay.', { delay: 5 });
    await saved();

    await page.getByRole('button', { name: 'History' }).click();
    const panel = page.getByRole('complementary', { name: 'History' });
    await until(() => panel.locator('.revision').count(), (n) => n >= 1, 'a revision');
    await panel.getByRole('button', { name: 'Name this version' }).first().click();
    await panel.getByLabel('Name for this version').fill('First draft');
    await panel.getByRole('button', { name: 'Save' }).click();
    await until(() => panel.locator('.revision.named .revision-name').allTextContents(), (t) => t.join() === 'First draft', 'the named version');

    // Rewrite the text: a new entry after the named version.
    await page.locator('.ql-editor').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('A completely different second text.', { delay: 5 });
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('Control+B');
    await page.keyboard.type('Title ', { delay: 5 });
    await saved();
    await until(() => panel.locator('.revision').count(), (n) => n >= 2, 'a second entry');
    expect(await panel.locator('.revision').first().getAttribute('class')).not.toContain('named');

    // Preview the newest entry: the removed draft struck through, the new text green.
    await panel.locator('.revision-open').first().click();
    const preview = page.getByTestId('history-preview');
    await until(() => preview.locator('.ql-editor').textContent(), (t) => !!t && t.includes('first draft') && t.includes('second text'), 'the preview');
    // (The diff keeps what the two texts share, such as the leading "T", so check the words.)
    const struck = (await preview.locator('.ql-editor s').allTextContents()).join('');
    expect(struck).toContain('first draft of my essay');
    const added = (await preview.locator('.ql-editor [style*="background-color: rgb(201, 242, 212)"]').allTextContents()).join('');
    expect(added).toContain('completely different second text');
    expect(await preview.locator('.ql-editor').getAttribute('contenteditable')).toBe('false');
    await screenshot(page, 'history-panel.png');

    // Restore the named version.
    await panel.locator('.revision.named .revision-open').click();
    await until(() => preview.locator('.ql-editor').textContent(), (t) => t === 'The first draft of my essay.', 'the named version in the preview');
    await panel.getByRole('button', { name: 'Restore this version' }).click();
    await until(() => editorText(page), (t) => t === 'The first draft of my essay.', 'the editor to show the restored text');
    await saved();
    const restored = await serverText(fay, documentId);
    expect(restored.text).toBe('The first draft of my essay.');
    await until(() => panel.getByRole('status').textContent(), (t) => !!t && t.startsWith('Restored the version'), 'the restore notice');

    // History is kept: the restore is a new version at the top, the named version is still listed.
    // (Entries show their number of edits; the version number is in the label's tooltip.)
    await until(() => panel.locator('.revision .revision-time [title]').first().getAttribute('title'), (t) => t === `Version ${restored.version}`, 'the restore at the top of the list');
    expect(await panel.locator('.revision.named .revision-name').allTextContents()).toEqual(['First draft']);
    await caretToEnd(page);
    await page.keyboard.type(' More.', { delay: 5 });
    await saved();
    expect(await editorText(page)).toBe('The first draft of my essay. More.');
  });
});
