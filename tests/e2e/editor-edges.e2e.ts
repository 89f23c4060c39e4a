/**
 * Issue 19 item 5, the editor's rough edges: the inline-code and code-block buttons look
 * different, the link box stays inside the editor, a remote cursor's name is never cut at the
 * right edge, the history naming box shows "Cancel" whole, history entries say how many edits
 * they hold instead of "v141".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocument, graphqlAs, LIVE_EDITOR, openDocument, screenshot, signUp, until, waitEditable, type Person } from './support.ts';

let hal: Person;
let ivy: Person;
let documentId: string;

beforeAll(async () => {
  [hal, ivy] = await Promise.all([signUp('Hal Hughes'), signUp('Ivy Ingram')]);
  documentId = await createDocument(hal, 'Rough edges');
  await graphqlAs(hal, 'mutation($d: ID!, $e: String!) { shareDocument(documentId: $d, email: $e, role: EDITOR) { role } }', { d: documentId, e: ivy.email });
  await openDocument(ivy.page, documentId);
  await waitEditable(ivy.page);
});

afterAll(async () => {
  await Promise.all([hal, ivy].filter(Boolean).map((p) => p.context.close()));
});

const saved = (person: Person) => until(() => person.page.getByTestId('save-status').textContent(), (t) => t === 'Saved', 'Saved');

describe('editor rough edges', () => {
  it('the inline-code and code-block buttons look different', async () => {
    const toolbar = hal.page.locator('.editor-mount .ql-toolbar');
    const code = await toolbar.getByRole('button', { name: 'Inline code' }).screenshot();
    const block = await toolbar.getByRole('button', { name: 'Code block' }).screenshot();
    expect(code.equals(block)).toBe(false);
  });

  it('keeps the link box inside the editor for a link at the start of a line', async () => {
    const { page } = hal;
    await page.locator(LIVE_EDITOR).click();
    await page.keyboard.type('Linked words at the very start of a line, and more text after them.', { delay: 3 });
    await saved(hal);
    await page.keyboard.press('Home');
    await page.keyboard.down('Shift');
    for (let i = 0; i < 6; i++) await page.keyboard.press('ArrowRight');
    await page.keyboard.up('Shift');
    await page.locator('.editor-mount .ql-toolbar').getByRole('button', { name: 'Link (Ctrl+K)' }).click();
    const tooltip = page.locator('.editor-mount .ql-tooltip.ql-editing');
    await tooltip.waitFor();
    const box = (await tooltip.boundingBox())!;
    const editor = (await page.locator('.editor-mount').boundingBox())!;
    await screenshot(page, 'editor-link-box.png');
    expect(box.x).toBeGreaterThanOrEqual(editor.x);
    expect(box.x + box.width).toBeLessThanOrEqual(editor.x + editor.width + 0.5);
    await page.keyboard.press('Escape');
  });

  it("shows a remote cursor's whole name when the caret is at the right edge", async () => {
    await hal.page.locator(LIVE_EDITOR).click();
    await hal.page.keyboard.press('Control+End');
    await hal.page.keyboard.press('Enter');
    await hal.page.keyboard.type('A long paragraph that wraps: '.repeat(8), { delay: 1 });
    await saved(hal);
    // Ivy puts her caret at the end of the first visual line of that paragraph on Hal's screen (the
    // two pages may wrap it differently: their toolbars and sidebars differ by role), by clicking
    // at the paragraph's start and stepping right.
    const full = 'A long paragraph that wraps: '.repeat(8).trimEnd();
    const paragraph = ivy.page.locator(`${LIVE_EDITOR} p`).last();
    await until(() => paragraph.textContent(), (t) => (t ?? '').includes(full), 'the paragraph at Ivy');
    const atHal = hal.page.locator(`${LIVE_EDITOR} p`).last();
    const h = (await atHal.boundingBox())!;
    const offset = await atHal.evaluate((el, at) => {
      const range = document.caretRangeFromPoint(at.x, at.y);
      if (!range || !el.contains(range.startContainer)) throw new Error('no text at the right edge of the first line');
      const before = document.createRange();
      before.setStart(el, 0);
      before.setEnd(range.startContainer, range.startOffset);
      return before.toString().length;
    }, { x: h.x + h.width - 2, y: h.y + 6 });
    const p = (await paragraph.boundingBox())!;
    await ivy.page.mouse.click(p.x + 1, p.y + 6);
    await ivy.page.keyboard.press('Home');
    // One short of the wrap point: a caret at the wrap point itself is drawn at the next line's start.
    for (let i = 0; i < offset - 1; i += 1) await ivy.page.keyboard.press('ArrowRight');
    const label = hal.page.locator('.remote-caret-name', { hasText: 'Ivy Ingram' });
    await label.waitFor();
    const container = hal.page.locator('.editor-mount .ql-container');
    await expect
      .poll(async () => {
        const caret = (await hal.page.locator('.remote-caret').filter({ has: label }).boundingBox())!;
        const c = (await container.boundingBox())!;
        return caret.x > c.x + c.width - 120;
      }, { timeout: 10_000 })
      .toBe(true);
    const l = (await label.boundingBox())!;
    const c = (await container.boundingBox())!;
    expect(l.x + l.width).toBeLessThanOrEqual(c.x + c.width);
    expect(await label.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
  });

  it('the history panel names entries by their edits, and its naming box shows Save and Cancel whole', async () => {
    const { page } = hal;
    await page.getByRole('button', { name: 'History' }).click();
    const panel = page.getByRole('complementary', { name: 'History' });
    await until(() => panel.locator('.revision').count(), (n) => n >= 1, 'an entry');
    const times = await panel.locator('.revision-time').allTextContents();
    for (const time of times) {
      expect(time).not.toMatch(/\bv\d+/);
      expect(time).toMatch(/ · [\d,.\s]+ edits?$/);
    }
    await panel.getByRole('button', { name: 'Name this version' }).first().click();
    const cancel = panel.locator('.name-form').getByRole('button', { name: 'Cancel' });
    await cancel.waitFor();
    const b = (await cancel.boundingBox())!;
    const box = (await panel.boundingBox())!;
    expect(b.x + b.width).toBeLessThanOrEqual(box.x + box.width);
    expect(await cancel.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    expect(await cancel.evaluate((el) => el.getBoundingClientRect().right <= el.closest('.history-panel')!.getBoundingClientRect().right - 8)).toBe(true);
    await screenshot(page, 'history-naming.png');
    await cancel.click();
  });
});
