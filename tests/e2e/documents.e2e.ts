/**
 * The documents list: create, search, rename, move to the trash and back, "shared with me";
 * the API tokens page; sign out; a collaborator whose access is removed is told so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocument, graphqlAs, screenshot, searchable, signUp, until, waitEditable, type Person } from './support.ts';

let dana: Person;
let eli: Person;

beforeAll(async () => {
  [dana, eli] = await Promise.all([signUp('Dana Diaz'), signUp('Eli Evans')]);
});

afterAll(async () => {
  await Promise.all([dana, eli].filter(Boolean).map((p) => p.context.close()));
});

const rowTitles = (person: Person) => person.page.locator('.document-row .document-title').allTextContents();

describe('the documents list', () => {
  it('creates, searches, renames, trashes and restores documents', async () => {
    for (const title of ['Quarterly report', 'Recipe ideas', 'Reading list']) await createDocument(dana, title);
    await searchable(dana, 're', 3);
    const { page } = dana;
    await page.goto('/');
    await until(() => rowTitles(dana), (t) => t.length === 3, 'three documents');
    expect((await rowTitles(dana)).sort()).toEqual(['Quarterly report', 'Reading list', 'Recipe ideas']);

    await page.getByLabel('Search titles').fill('re');
    await until(() => rowTitles(dana), (t) => t.length === 3, 'three matches for "re"');
    await page.getByLabel('Search titles').fill('recipe');
    await until(() => rowTitles(dana), (t) => t.join() === 'Recipe ideas', 'one match for "recipe"');
    await page.getByLabel('Search titles').fill('');

    await until(() => rowTitles(dana), (t) => t.length === 3, 'the full list again');
    await page.getByRole('button', { name: 'Rename Reading list' }).click();
    await page.getByLabel('New title for Reading list').fill('Books to read');
    await page.getByRole('button', { name: 'Save' }).click();
    await until(() => rowTitles(dana), (t) => t.includes('Books to read'), 'the renamed document');

    await page.getByRole('button', { name: 'Move to trash Recipe ideas' }).click();
    await until(() => rowTitles(dana), (t) => !t.includes('Recipe ideas'), 'the trashed document to leave the list');
    await page.getByRole('tab', { name: 'Trash' }).click();
    await until(() => rowTitles(dana), (t) => t.join() === 'Recipe ideas', 'the trash to list it');
    await page.getByRole('button', { name: 'Restore Recipe ideas' }).click();
    await until(() => page.locator('.empty').count(), (n) => n === 1, 'an empty trash');
    await page.getByRole('tab', { name: 'All documents' }).click();
    await until(() => rowTitles(dana), (t) => t.length === 3 && t.includes('Recipe ideas'), 'the restored document back in the list');
  });

  it('says when a title is over 200 characters instead of cutting it, and keeps notices short', async () => {
    const { page } = dana;
    await page.goto('/');
    await page.getByRole('heading', { name: 'Documents' }).waitFor();
    const long = `A very long title ${'x'.repeat(230)}`;
    const input = page.getByLabel('Title of the new document');
    await input.fill(long);
    // Nothing is cut: the whole text stays, the problem is said and the button waits.
    expect(await input.inputValue()).toBe(long);
    expect(await page.locator('#new-title-problem').textContent()).toBe(`A title may have at most 200 characters; this one has ${long.length}.`);
    expect(await page.getByRole('button', { name: 'New document' }).isDisabled()).toBe(true);
    await screenshot(page, 'documents-title-too-long.png');
    await input.fill(long.slice(0, 200));
    expect(await page.locator('#new-title-problem').isHidden()).toBe(true);
    await page.getByRole('button', { name: 'New document' }).click();
    await page.waitForURL(/\/docs\/[^/]+$/);
    await waitEditable(page);

    // In the editor: a longer title is refused by the API with the same words, and not saved.
    const title = page.locator('#doc-title');
    await title.fill(long);
    await title.press('Enter');
    await until(() => page.getByRole('alert').allTextContents(), (t) => t.some((x) => x.includes('A title may have at most 200 characters')), 'the title error');
    expect(await title.inputValue()).toBe(long);

    // The trash notice names the document in one short line, not its whole title.
    await page.goto('/');
    const row = page.locator('.document-row', { hasText: 'A very long title' });
    await row.getByRole('button', { name: /^Move to trash/ }).click();
    const notice = page.locator('.notice');
    await until(() => notice.textContent(), (t) => (t ?? '').startsWith('Moved “A very long title'), 'the trash notice');
    const text = (await notice.textContent()) ?? '';
    expect(text.length).toBeLessThan(90);
    expect(text).toMatch(/…” to the trash\.$/);
  });

  it('lists documents shared with me, and tells a collaborator when access is removed', async () => {
    const id = await createDocument(dana, 'Team plan');
    const { me } = await graphqlAs<{ me: { id: string } }>(eli, '{ me { id } }', {});
    await graphqlAs(dana, 'mutation($d: ID!, $e: String!) { shareDocument(documentId: $d, email: $e, role: EDITOR) { role } }', { d: id, e: eli.email });

    await eli.page.goto('/');
    await eli.page.getByRole('tab', { name: 'Shared with me' }).click();
    await until(() => rowTitles(eli), (t) => t.join() === 'Team plan', 'the shared document');
    await eli.page.getByRole('link', { name: 'Team plan' }).click();
    await eli.page.locator('.ql-editor[contenteditable="true"]').waitFor();

    await dana.page.goto('/');
    await until(() => rowTitles(dana), (t) => t.length === 4, 'four documents');
    await screenshot(dana.page, 'documents-list.png');

    await graphqlAs(dana, 'mutation($d: ID!, $u: ID!) { removeCollaborator(documentId: $d, userId: $u) }', { d: id, u: me.id });
    const fatal = eli.page.getByTestId('editor-fatal');
    await fatal.waitFor({ timeout: 15_000 });
    expect(await fatal.textContent()).toContain('its owner stopped sharing it with you');
    expect(await eli.page.locator('.ql-editor').getAttribute('contenteditable')).toBe('false');
  });

  it('creates and revokes API tokens, and signs out', async () => {
    const { page } = dana;
    await page.goto('/settings/tokens');
    await page.getByLabel('Token name').fill('Import script');
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = (await page.getByTestId('new-token').textContent()) ?? '';
    expect(token.length).toBeGreaterThan(20);
    const response = await fetch(new URL('/api/graphql', page.url()), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ me { email } }' }),
    });
    expect(((await response.json()) as { data: { me: { email: string } } }).data.me.email).toBe(dana.email);
    await until(() => page.getByRole('cell', { name: 'Import script', exact: true }).count(), (n) => n === 1, 'the token in the list');

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Revoke Import script' }).click();
    await until(() => page.getByText('You have no API tokens.').count(), (n) => n === 1, 'an empty token list');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('link', { name: 'Sign in' }).waitFor();
    await page.goto('/settings/tokens');
    await page.waitForURL(/\/signin\?callbackUrl=/);
    await page.getByLabel('Email').fill(dana.email);
    await page.getByLabel('Password').fill('wrong password!!');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await until(() => page.locator('.form-error').allTextContents(), (t) => t.join() === 'Wrong email or password.', 'the wrong-password message');
    await page.getByLabel('Password').fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'API tokens' }).waitFor();
  });
});
