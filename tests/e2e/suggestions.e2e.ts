/**
 * Suggestions in the browser (issue 18): a commenter types and deletes in Suggesting mode (their
 * only mode), an editor sees both proposals live (underlined / struck through in the commenter's
 * colour, listed in the sidebar), accepts one and rejects the other, and both screens end with the
 * same text as the server. Screenshot: docs/screenshots/suggestions.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { caretToEnd, createDocument, editorText, graphqlAs, LIVE_EDITOR, openDocument, screenshot, serverText, signUp, until, type Person } from './support.ts';

let alice: Person;
let bob: Person;
let carol: Person;
let documentId: string;

const SHARE = 'mutation($d: ID!, $e: String!, $r: Role!) { shareDocument(documentId: $d, email: $e, role: $r) { role } }';

const cards = (page: Page) => page.getByTestId('suggestion');

beforeAll(async () => {
  [alice, bob, carol] = await Promise.all([signUp('Alice Archer'), signUp('Bob Baker'), signUp('Carol Clark')]);
  documentId = await createDocument(alice, 'Suggested draft');
  await graphqlAs(alice, SHARE, { d: documentId, e: bob.email, r: 'COMMENTER' });
  await graphqlAs(alice, SHARE, { d: documentId, e: carol.email, r: 'EDITOR' });
  await caretToEnd(alice.page);
  await alice.page.keyboard.type('The quick brown fox jumps over the lazy dog.', { delay: 5 });
  await until(() => alice.page.getByTestId('save-status').textContent(), (t) => t === 'Saved', 'Alice’s text to be saved');
  await Promise.all([openDocument(bob.page, documentId), openDocument(carol.page, documentId)]);
  for (const p of [bob, carol]) await until(() => p.page.locator(LIVE_EDITOR).textContent(), (t) => Boolean(t?.includes('lazy dog')), `${p.name} to see the text`);
});

afterAll(async () => {
  await Promise.all([alice, bob, carol].filter(Boolean).map((p) => p.context.close()));
});

describe('suggestions', () => {
  it('a commenter is always suggesting; an editor sees the proposals live, accepts one and rejects another', async () => {
    // Bob (commenter): the switch shows Suggesting, and he cannot switch to Editing.
    const bobSwitch = bob.page.getByTestId('mode-switch');
    expect(await bobSwitch.getByRole('radio', { name: 'Suggesting' }).getAttribute('aria-checked')).toBe('true');
    expect(await bobSwitch.getByRole('radio', { name: 'Editing' }).isDisabled()).toBe(true);

    // An insertion at the end…
    await caretToEnd(bob.page);
    await bob.page.keyboard.type(' Really.', { delay: 10 });
    // …and a deletion of "quick " (backspace over it from the end of "quick ").
    await bob.page.locator(LIVE_EDITOR).click();
    await bob.page.keyboard.press('Control+Home');
    for (let i = 0; i < 'The quick '.length; i++) await bob.page.keyboard.press('ArrowRight');
    for (let i = 0; i < 'quick '.length; i++) await bob.page.keyboard.press('Backspace');
    await until(() => bob.page.getByTestId('save-status').textContent(), (t) => t === 'Saved', 'Bob’s suggestions to be saved');

    // The text is all still there on every screen, marked; both list the two suggestions.
    for (const p of [bob, carol]) {
      await expect.poll(() => editorText(p.page), { timeout: 15_000 }).toBe('The quick brown fox jumps over the lazy dog. Really.');
      await expect.poll(() => p.page.locator(`${LIVE_EDITOR} [data-suggest-insert]`).textContent()).toBe(' Really.');
      await expect.poll(() => p.page.locator(`${LIVE_EDITOR} [data-suggest-delete]`).textContent()).toBe('quick ');
      await expect.poll(() => cards(p.page).count(), { timeout: 15_000 }).toBe(2);
    }
    const struck = await carol.page.locator(`${LIVE_EDITOR} [data-suggest-delete]`).evaluate((el) => getComputedStyle(el).textDecorationLine);
    expect(struck).toContain('line-through');
    const underlined = await carol.page.locator(`${LIVE_EDITOR} [data-suggest-insert]`).evaluate((el) => getComputedStyle(el).textDecorationLine);
    expect(underlined).toContain('underline');
    const listed = await graphqlAs<{ document: { suggestions: { deletedText: string; insertedText: string; author: { name: string } | null }[] } }>(carol, 'query($d: ID!) { document(id: $d) { suggestions { deletedText insertedText author { name } } } }', { d: documentId });
    expect(listed.document.suggestions).toEqual([
      { deletedText: 'quick ', insertedText: '', author: { name: 'Bob Baker' } },
      { deletedText: '', insertedText: ' Really.', author: { name: 'Bob Baker' } },
    ]);
    // Document order: the deletion first. Carol sees who made them; Bob may only withdraw his own.
    await expect.poll(() => cards(carol.page).first().textContent(), { timeout: 15_000 }).toContain('Bob Baker');
    expect(await cards(bob.page).first().getByRole('button', { name: 'Accept' }).count()).toBe(0);
    expect(await cards(bob.page).first().getByRole('button', { name: 'Withdraw' }).count()).toBe(1);
    await screenshot(carol.page, 'suggestions.png');

    // Carol accepts the insertion and rejects the deletion.
    await cards(carol.page).nth(1).getByRole('button', { name: 'Accept' }).click();
    await expect.poll(() => cards(carol.page).count(), { timeout: 15_000 }).toBe(1);
    await cards(carol.page).first().getByRole('button', { name: 'Reject' }).click();
    for (const p of [bob, carol]) {
      await expect.poll(() => cards(p.page).count(), { timeout: 15_000 }).toBe(0);
      await expect.poll(() => p.page.locator(`${LIVE_EDITOR} [data-suggest-insert], ${LIVE_EDITOR} [data-suggest-delete]`).count()).toBe(0);
      await expect.poll(() => editorText(p.page)).toBe('The quick brown fox jumps over the lazy dog. Really.');
    }
    expect((await serverText(alice, documentId)).text).toBe('The quick brown fox jumps over the lazy dog. Really.');
  });

  it('an editor switches to Suggesting and back; the commenter can no longer edit directly over the API', async () => {
    await carol.page.getByTestId('mode-switch').getByRole('radio', { name: 'Suggesting' }).click();
    await caretToEnd(carol.page);
    await carol.page.keyboard.type(' Yes.', { delay: 10 });
    await expect.poll(() => bob.page.locator(`${LIVE_EDITOR} [data-suggest-insert]`).textContent(), { timeout: 15_000 }).toBe(' Yes.');
    await expect.poll(() => cards(bob.page).count()).toBe(1);
    // Bob (not its author, not an editor) sees no button on Carol's suggestion.
    expect(await cards(bob.page).first().getByRole('button').count()).toBe(0);
    await until(() => carol.page.getByTestId('save-status').textContent(), (t) => t === 'Saved', 'Carol’s suggestion to be saved');
    await cards(carol.page).first().getByRole('button', { name: 'Reject' }).click();
    await carol.page.getByTestId('mode-switch').getByRole('radio', { name: 'Editing' }).click();
    await caretToEnd(carol.page);
    await carol.page.keyboard.type('!', { delay: 10 });
    for (const p of [bob, carol]) await expect.poll(() => editorText(p.page), { timeout: 15_000 }).toBe('The quick brown fox jumps over the lazy dog. Really.!');
    await expect.poll(() => cards(bob.page).count()).toBe(0);
  });
});
