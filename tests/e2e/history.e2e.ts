/**
 * The history panel: name a version, preview versions with their changes highlighted, restore one
 * and then the text before that restore (issue 19.4); the preview renders exactly `at(version)`
 * (issue 19.3); the panel follows the document live while someone else types (issue 19.4).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caretToEnd, createDocument, editorText, graphqlAs, LIVE_EDITOR, openDocument, screenshot, serverText, signUp, until, waitEditable, type Person } from './support.ts';

let fay: Person;
let gus: Person | undefined;
let documentId: string;

beforeAll(async () => {
  fay = await signUp('Fay Fischer', { width: 1280, height: 800 });
  documentId = await createDocument(fay, 'Essay');
});

afterAll(async () => {
  await fay?.context.close();
  await gus?.context.close();
});

/**
 * The document as a person sees it, line by line: each line's kind (paragraph, heading level,
 * list kind, code block, quote) and its text, leaving out what the preview shows as deleted
 * (struck through).
 */
function renderedLines(page: Page, selector: string): Promise<string[]> {
  return page.locator(selector).evaluate((root) => {
    const lines: string[] = [];
    const textOf = (el: Element) => {
      const copy = el.cloneNode(true) as Element;
      for (const struck of copy.querySelectorAll('s')) struck.remove();
      return (copy.textContent ?? '').replace(/\uFEFF/g, '');
    };
    const visit = (el: Element) => {
      if (el.matches('ol, ul, .ql-code-block-container')) {
        for (const child of el.children) visit(child);
        return;
      }
      const kind = el.matches('li') ? `li:${el.getAttribute('data-list')}` : el.matches('.ql-code-block') ? 'code' : el.tagName.toLowerCase();
      lines.push(`${kind}|${textOf(el)}`);
    };
    for (const child of root.children) visit(child);
    return lines;
  });
}

/** Submits an op through the API as `person` at the current head. */
async function submit(person: Person, ops: unknown[]): Promise<void> {
  const { document } = await graphqlAs<{ document: { version: number } }>(person, 'query($id: ID!) { document(id: $id) { version } }', { id: documentId });
  await graphqlAs(person, 'mutation($i: SubmitOperationInput!) { submitOperation(input: $i) { version } }', {
    i: { documentId, baseVersion: document.version, clientId: `e2e-${Date.now()}-${Math.random()}`, clientSeq: 1, delta: { ops } },
  });
}

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
    const rewritten = await serverText(fay, documentId);
    await until(() => panel.locator('.revision').first().getAttribute('data-to-version'), (v) => v === String(rewritten.version), 'the newest entry to reach the head');
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
    await until(() => panel.getByRole('status').textContent(), (t) => !!t && t.startsWith('Restored “First draft”'), 'the restore notice');

    // History is kept: the restore is an entry of its own at the top, the named version is still listed.
    await until(() => panel.locator('.revision').first().getAttribute('class'), (c) => !!c && c.includes('restore'), 'the restore at the top of the list');
    expect(await panel.locator('.revision.restore .revision-name').first().textContent()).toBe('Restored “First draft”');
    expect(await panel.locator('.revision.named:not(.restore) .revision-name').allTextContents()).toEqual(['First draft']);

    // The text just before the restore can be previewed and restored: the restore undone.
    await panel.locator('.revision.restore').first().getByRole('button', { name: 'Text before this restore' }).click();
    await until(() => preview.locator('.ql-editor').textContent(), (t) => t === 'Title A completely different second text.', 'the text before the restore in the preview');
    await panel.getByRole('button', { name: 'Restore this version' }).click();
    await until(() => editorText(page), (t) => t === 'Title A completely different second text.', 'the editor back to the text before the restore');
    await saved();
    await until(() => panel.locator('.revision.restore').count(), (n) => n === 2, 'the second restore listed as an entry of its own');
    await page.locator(LIVE_EDITOR).click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('The first draft of my essay.', { delay: 5 });
    await saved();
    await caretToEnd(page);
    await page.keyboard.type(' More.', { delay: 5 });
    await saved();
    expect(await editorText(page)).toBe('The first draft of my essay. More.');
  });

  it('the preview renders exactly at(version): headings, lists and code blocks at the edges of the change [issue 19.3]', async () => {
    const { page } = fay;
    // A fresh start of known content (one entry, closed by a name), then one entry that changes
    // the edges: the heading's line break deleted (its text joins the next line), a list item
    // turned into code, a code line cut, a heading added at the end.
    const start = await serverText(fay, documentId);
    await submit(fay, [{ delete: start.text.length }, { insert: 'Plan' }, { insert: '\n', attributes: { header: 1 } }, { insert: 'Intro\nalpha' }, { insert: '\n', attributes: { list: 'bullet' } }, { insert: 'beta' }, { insert: '\n', attributes: { list: 'bullet' } }, { insert: 'let x = 1;' }, { insert: '\n', attributes: { 'code-block': 'plain' } }, { insert: 'Done' }, { retain: 1, attributes: { header: 2 } }]);
    const { version: named } = await serverText(fay, documentId);
    await graphqlAs(fay, 'mutation($d: ID!, $v: Int!) { nameVersion(documentId: $d, version: $v, name: "Outline") { id } }', { d: documentId, v: named });
    await submit(fay, [{ retain: 4 }, { delete: 1 }, { retain: 6 }, { retain: 6 }, { retain: 4 }, { retain: 1, attributes: { list: null, 'code-block': 'plain' } }, { retain: 4 }, { delete: 6 }, { retain: 1 }, { retain: 4 }, { insert: '\n' }, { insert: 'Appendix' }, { retain: 1, attributes: { header: 1 } }]);
    const head = await serverText(fay, documentId);
    await until(() => editorText(page), (t) => t.includes('Appendix'), 'the live editor at head');

    const panel = page.getByRole('complementary', { name: 'History' });
    await until(() => panel.locator('.revision').first().getAttribute('data-to-version'), (v) => v === String(head.version), 'the newest entry, ending at head');
    await panel.locator('.revision-open').first().click();
    const preview = page.getByTestId('history-preview');
    await until(() => preview.locator('.ql-editor').textContent(), (t) => !!t && t.includes('Appendix'), 'the preview');
    // The newest entry ends at head, which the live editor shows: the preview, without what it
    // shows as deleted, must be line for line the same (kinds and text), and at(toVersion) too.
    const previewLines = await renderedLines(page, '[data-testid="history-preview"] .ql-editor');
    await page.getByRole('button', { name: 'Back to editing' }).click();
    const liveLines = await renderedLines(page, LIVE_EDITOR);
    expect(previewLines).toEqual(liveLines);
    expect(liveLines).toEqual(['p|PlanIntro', 'li:bullet|alpha', 'code|beta', 'code|let ', 'p|Done', 'h1|Appendix']);
    const at = await graphqlAs<{ document: { at: { content: { ops: Array<{ insert: string }> } } } }>(fay, 'query($id: ID!, $v: Int!) { document(id: $id) { at(version: $v) { content } } }', { id: documentId, v: head.version });
    expect(at.document.at.content.ops.map((o) => o.insert).join('')).toBe(previewLines.map((l) => l.split('|')[1]).join('\n') + '\n');
  });

  it('the panel follows the document live while someone else types, with a finer entry per person in "More detail" [issue 19.4]', async () => {
    const { page } = fay;
    gus = await signUp('Gus Grant', { width: 1200, height: 800 });
    await graphqlAs(fay, 'mutation($d: ID!, $e: String!) { shareDocument(documentId: $d, email: $e, role: EDITOR) { role } }', { d: documentId, e: gus.email });
    await openDocument(gus.page, documentId);
    await waitEditable(gus.page);
    const panel = page.getByRole('complementary', { name: 'History' });
    const before = await panel.locator('.revision').count();
    await new Promise((r) => setTimeout(r, 5_500)); // Fay's last edit is older than the handover gap
    await caretToEnd(gus.page);
    // Gus keeps typing; the panel must show him before he stops (it used to wait for a pause).
    const typing = gus.page.keyboard.type(' Gus was here, typing on and on for a while without a break.', { delay: 80 });
    await until(() => panel.locator('.revision').first().textContent(), (t) => !!t && t.includes('Gus Grant'), 'Gus in the newest entry while he types', 8_000);
    await typing;
    await panel.getByRole('button', { name: 'More detail' }).click();
    await until(
      () => panel.locator('.revision').first().locator('.revision-authors').textContent(),
      (t) => t === 'Gus Grant',
      'an entry of Gus alone in the detailed view',
    );
    expect(await panel.locator('.revision').count()).toBeGreaterThan(before);
    expect(await panel.locator('.revision').first().locator('.revision-time').textContent()).toMatch(/change/);
    await screenshot(page, 'history-panel-detail.png');
  });
});
