/**
 * Comments in the browser (issue 17): two people comment and reply live, typing before and inside
 * a highlighted range moves it on both screens, resolving hides it on both screens, a viewer
 * reads threads without the means to change them. Screenshot: docs/screenshots/comments-sidebar.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { caretToEnd, createDocument, editorText, graphqlAs, LIVE_EDITOR, openDocument, screenshot, signUp, until, type Person } from './support.ts';

let alice: Person;
let bob: Person;
let carol: Person;
let documentId: string;

const SHARE = 'mutation($d: ID!, $e: String!, $r: Role!) { shareDocument(documentId: $d, email: $e, role: $r) { role } }';

/** Selects the first occurrence of `text` in the live editor, as a person dragging over it would. */
async function select(page: Page, text: string): Promise<void> {
  await page.evaluate(
    ({ selector, text }) => {
      const walker = document.createTreeWalker(document.querySelector(selector)!, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const at = (node as Text).data.indexOf(text);
        if (at < 0) continue;
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + text.length);
        document.getSelection()!.removeAllRanges();
        document.getSelection()!.addRange(range);
        return;
      }
      throw new Error(`"${text}" is not in the editor`);
    },
    { selector: LIVE_EDITOR, text },
  );
  // Quill reads the selection on `selectionchange`, a moment later.
  await new Promise((r) => setTimeout(r, 100));
}

/**
 * The text each visible thread's highlight covers in this person's editor, in sidebar order: the
 * editor's text (each paragraph followed by a newline, as Quill counts) cut at the card's anchor.
 */
function highlighted(page: Page): Promise<string[]> {
  return page.evaluate((selector) => {
    const text = [...document.querySelector(selector)!.children].map((block) => `${(block as HTMLElement).innerText.replace(/\n$/, '')}\n`).join('');
    return [...document.querySelectorAll<HTMLElement>('[data-testid="comment-thread"]')].map((card) =>
      card.dataset.anchorIndex === '' ? '(deleted)' : text.slice(Number(card.dataset.anchorIndex), Number(card.dataset.anchorIndex) + Number(card.dataset.anchorLength)),
    );
  }, LIVE_EDITOR);
}

const threadCards = (page: Page) => page.getByTestId('comment-thread');

beforeAll(async () => {
  [alice, bob, carol] = await Promise.all([signUp('Alice Archer'), signUp('Bob Baker'), signUp('Carol Clark')]);
  documentId = await createDocument(alice, 'Reviewed draft');
  await graphqlAs(alice, SHARE, { d: documentId, e: bob.email, r: 'COMMENTER' });
  await graphqlAs(alice, SHARE, { d: documentId, e: carol.email, r: 'VIEWER' });
  await caretToEnd(alice.page);
  await alice.page.keyboard.type('The quick brown fox jumps over the lazy dog.', { delay: 5 });
  await until(() => alice.page.getByTestId('save-status').textContent(), (t) => t === 'Saved', 'Alice’s text to be saved');
  await openDocument(bob.page, documentId);
  await until(() => bob.page.locator(LIVE_EDITOR).textContent(), (t) => Boolean(t?.includes('lazy dog')), 'Bob to see the text');
});

afterAll(async () => {
  await Promise.all([alice, bob, carol].filter(Boolean).map((p) => p.context.close()));
});

describe('comments', () => {
  it('two people comment and reply live', async () => {
    await select(bob.page, 'brown fox');
    await bob.page.keyboard.press('Control+Alt+KeyM');
    await bob.page.getByLabel('New comment').fill('Is the fox really brown?');
    await bob.page.getByRole('button', { name: 'Comment', exact: true }).last().click();
    await expect.poll(() => threadCards(bob.page).count()).toBe(1);

    // Alice sees it appear, with the quote, and the text highlighted.
    await expect.poll(() => threadCards(alice.page).count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => threadCards(alice.page).first().textContent()).toContain('Is the fox really brown?');
    await expect.poll(() => highlighted(alice.page)).toEqual(['brown fox']);
    await expect.poll(() => alice.page.locator('.comment-highlight').count()).toBeGreaterThan(0);

    await threadCards(alice.page).first().getByLabel('Reply').fill('It is, in this story.');
    await threadCards(alice.page).first().getByRole('button', { name: 'Reply' }).click();
    await expect.poll(() => threadCards(bob.page).first().getByTestId('comment').count(), { timeout: 15_000 }).toBe(2);
    await expect.poll(() => threadCards(bob.page).first().textContent()).toContain('It is, in this story.');
  });

  it('typing before and inside a highlighted range moves it on both screens', async () => {
    await alice.page.locator(LIVE_EDITOR).click();
    await alice.page.keyboard.press('Control+Home');
    await alice.page.keyboard.type('Hey! ', { delay: 10 });
    for (const p of [alice, bob]) {
      await expect.poll(() => editorText(p.page), { timeout: 15_000 }).toContain('Hey! The quick');
      await expect.poll(() => threadCards(p.page).first().getAttribute('data-anchor-index')).toBe(String('Hey! The quick '.length));
      expect(await highlighted(p.page)).toEqual(['brown fox']);
    }

    // Inside the range (after "brown"): the new text joins it.
    await alice.page.keyboard.press('Control+Home');
    for (let i = 0; i < 'Hey! The quick brown'.length; i++) await alice.page.keyboard.press('ArrowRight');
    await alice.page.keyboard.type(' red', { delay: 10 });
    for (const p of [alice, bob]) await expect.poll(() => highlighted(p.page), { timeout: 15_000 }).toEqual(['brown red fox']);
    // At its end (after "fox"): the new text stays outside.
    for (let i = 0; i < ' fox'.length; i++) await alice.page.keyboard.press('ArrowRight');
    await alice.page.keyboard.type('es', { delay: 10 });
    for (const p of [alice, bob]) {
      await expect.poll(() => editorText(p.page), { timeout: 15_000 }).toContain('brown red foxes jumps');
      expect(await highlighted(p.page)).toEqual(['brown red fox']);
    }
    await threadCards(bob.page).first().click();
    await screenshot(bob.page, 'comments-sidebar.png');
  });

  it('a viewer reads threads but cannot comment, reply or resolve', async () => {
    await openDocument(carol.page, documentId);
    await expect.poll(() => threadCards(carol.page).count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => highlighted(carol.page)).toEqual(['brown red fox']);
    expect(await carol.page.getByRole('button', { name: 'Comment', exact: true }).count()).toBe(0);
    expect(await threadCards(carol.page).first().getByLabel('Reply').count()).toBe(0);
    expect(await threadCards(carol.page).first().getByRole('button', { name: 'Resolve' }).count()).toBe(0);
  });

  it('resolving hides the thread on every screen; "show resolved" brings it back', async () => {
    await threadCards(bob.page).first().getByRole('button', { name: 'Resolve' }).click();
    for (const p of [alice, bob, carol]) {
      await expect.poll(() => threadCards(p.page).count(), { timeout: 15_000 }).toBe(0);
      await expect.poll(() => p.page.locator('.comment-highlight').count()).toBe(0);
    }
    await alice.page.getByLabel('Show resolved').check();
    await expect.poll(() => threadCards(alice.page).count()).toBe(1);
    expect(await threadCards(alice.page).first().getAttribute('data-resolved')).toBe('true');
    await threadCards(alice.page).first().getByRole('button', { name: 'Reopen' }).click();
    await expect.poll(() => threadCards(bob.page).count(), { timeout: 15_000 }).toBe(1);
  });

  it('edits show on every screen; a thread whose text was deleted is listed as such; its author deletes a comment', async () => {
    const bobsComment = threadCards(bob.page).first().getByTestId('comment').first();
    await bobsComment.getByRole('button', { name: 'Edit' }).click();
    await bob.page.getByLabel('Edit your comment').fill('Is the fox really red?');
    await bob.page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => threadCards(alice.page).first().textContent(), { timeout: 15_000 }).toContain('(edited)Is the fox really red?');

    // Alice deletes the commented words (and the space before them): the thread stays, marked.
    await select(alice.page, ' brown red fox');
    await alice.page.keyboard.press('Backspace');
    for (const p of [alice, bob]) {
      await expect.poll(() => highlighted(p.page), { timeout: 15_000 }).toEqual(['(deleted)']);
      await expect.poll(() => threadCards(p.page).first().textContent()).toContain('The commented text was deleted: brown fox');
    }
    expect(await alice.page.locator('.comment-highlight').count()).toBe(0);

    await threadCards(bob.page).first().getByTestId('comment').first().getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => threadCards(alice.page).first().getByTestId('comment').count(), { timeout: 15_000 }).toBe(1);
  });

  it('the Comment button opens a thread on the selection; each card sits beside its text, in document order', async () => {
    // A passage a few lines down, so a card left at the top of the list would be far from its text.
    await caretToEnd(alice.page);
    await alice.page.keyboard.type('\n\n\n\n\nA sleepy cat watches.', { delay: 5 });
    await expect.poll(() => editorText(bob.page), { timeout: 15_000 }).toContain('A sleepy cat watches.');
    await select(alice.page, 'sleepy cat');
    // The button above the threads (the shortcut was used above); it keeps the editor's selection.
    await alice.page.getByRole('button', { name: 'Comment', exact: true }).first().click();
    await alice.page.getByLabel('New comment').fill('Which dog?');
    await alice.page.getByRole('button', { name: 'Comment', exact: true }).last().click();
    for (const p of [alice, bob]) {
      await expect.poll(() => threadCards(p.page).count(), { timeout: 15_000 }).toBe(2);
      // The thread on text first, the one whose text was deleted after it.
      await expect.poll(() => highlighted(p.page)).toEqual(['sleepy cat', '(deleted)']);
      // The card starts at the height of its highlighted line, five lines down (cards slide there: poll).
      await expect
        .poll(async () => {
          const card = await threadCards(p.page).first().boundingBox();
          const mark = await p.page.locator('.comment-highlight').first().boundingBox();
          return card && mark ? Math.abs(card.y - mark.y) : Infinity;
        })
        .toBeLessThan(24);
      // …which is well below the top of the list, where a card left unplaced would sit.
      const list = await p.page.locator('.comments-list').boundingBox();
      expect((await threadCards(p.page).first().boundingBox())!.y - list!.y).toBeGreaterThan(80);
    }
  });
  it('selecting text shows a Comment button beside it that opens a thread on that text; a viewer gets none', async () => {
    const floating = (page: Page) => page.getByRole('button', { name: 'Comment on the selected text' });
    expect(await floating(bob.page).count()).toBe(0);
    await select(bob.page, 'lazy dog');
    await expect.poll(() => floating(bob.page).isVisible()).toBe(true);
    // Beside the selection: its box within 40 px of the selected line, vertically, and near its start.
    const line = await bob.page.evaluate(() => {
      const r = document.getSelection()!.getRangeAt(0).getBoundingClientRect();
      return { x: r.left, y: r.top, height: r.height };
    });
    await expect
      .poll(async () => {
        const box = await floating(bob.page).boundingBox();
        if (!box) return Infinity;
        const gap = box.y > line.y + line.height ? box.y - (line.y + line.height) : line.y > box.y + box.height ? line.y - (box.y + box.height) : 0;
        return Math.max(gap, Math.abs(box.x - line.x) > 80 ? Infinity : 0);
      })
      .toBeLessThan(40);
    await floating(bob.page).click();
    await bob.page.getByLabel('New comment').fill('Which dog is lazy?');
    await bob.page.getByRole('button', { name: 'Comment', exact: true }).last().click();
    for (const p of [alice, bob]) {
      await expect.poll(() => threadCards(p.page).count(), { timeout: 15_000 }).toBe(3);
      await expect.poll(() => highlighted(p.page)).toEqual(['lazy dog', 'sleepy cat', '(deleted)']);
    }
    expect(await threadCards(alice.page).first().textContent()).toContain('Which dog is lazy?');

    // A collapsed selection, or none in the editor, shows no button.
    await select(bob.page, 'lazy');
    await expect.poll(() => floating(bob.page).count()).toBe(1);
    await bob.page.locator(LIVE_EDITOR).click();
    await bob.page.keyboard.press('End');
    await expect.poll(() => floating(bob.page).count()).toBe(0);
    await select(bob.page, 'lazy');
    await expect.poll(() => floating(bob.page).count()).toBe(1);
    await bob.page.getByRole('heading', { name: 'Comments' }).click();
    await expect.poll(() => floating(bob.page).count()).toBe(0);

    // From the keyboard: Shift+Tab from a selection reaches the button, Enter opens the form.
    await alice.page.locator(LIVE_EDITOR).click();
    await alice.page.keyboard.press('Control+End');
    for (let i = 0; i < 'watches.'.length; i++) await alice.page.keyboard.press('Shift+ArrowLeft');
    await expect.poll(() => floating(alice.page).count()).toBe(1);
    await alice.page.keyboard.press('Shift+Tab');
    await expect.poll(() => floating(alice.page).evaluate((b) => b === document.activeElement)).toBe(true);
    await alice.page.keyboard.press('Enter');
    await alice.page.getByLabel('New comment').fill('Watches what?');
    await alice.page.getByRole('button', { name: 'Comment', exact: true }).last().click();
    await expect.poll(() => highlighted(bob.page), { timeout: 15_000 }).toEqual(['lazy dog', 'sleepy cat', 'watches.', '(deleted)']);
    expect(await editorText(alice.page)).toContain('A sleepy cat watches.');

    // A viewer selecting text gets no button.
    await select(carol.page, 'lazy dog');
    await new Promise((r) => setTimeout(r, 300));
    expect(await floating(carol.page).count()).toBe(0);
    expect(await carol.page.getByTestId('selection-comment-button').count()).toBe(0);
  });
});
