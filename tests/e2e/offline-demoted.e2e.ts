/**
 * Edits kept offline across a role change (review of issues 18 and 20), in Chromium: an editor
 * types with the network off and closes the tab (the edits stay in IndexedDB); meanwhile the
 * owner makes them a commenter. Back online, opening the document resumes the kept edits, which
 * become the person's suggestion instead of being refused: nothing to copy, nothing lost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caretToEnd, createDocument, graphqlAs, openDocument, signUp, until, type Person } from './support.ts';

let olga: Person;
let rae: Person;

beforeAll(async () => {
  [olga, rae] = await Promise.all([signUp('Olga Olsen'), signUp('Rae Rivers')]);
});

afterAll(async () => {
  await Promise.all([olga, rae].filter(Boolean).map((p) => p.context.close()));
});

const SHARE = 'mutation($d: ID!, $e: String!, $r: Role!) { shareDocument(documentId: $d, email: $e, role: $r) { role } }';

describe('edits kept offline, resumed after a demotion', () => {
  it('an editor made commenter while their edits waited offline finds them as their suggestion', async () => {
    const documentId = await createDocument(olga, 'Kept across a demotion');
    await graphqlAs(olga, SHARE, { d: documentId, e: rae.email, r: 'EDITOR' });
    const first = rae.page;
    await openDocument(first, documentId);
    await first.locator('.ql-editor[contenteditable="true"]').waitFor();

    await rae.context.setOffline(true);
    await until(() => first.getByTestId('save-status').textContent(), (t) => (t ?? '').startsWith('Offline'), 'the editor to say it is offline');
    await caretToEnd(first);
    await first.keyboard.type('Written offline', { delay: 5 });
    await until(() => first.getByTestId('save-status').textContent(), (t) => /^Offline — \d+ changes? pending$/.test(t ?? ''), 'the edits to be pending');
    await first.close();

    await graphqlAs(olga, SHARE, { d: documentId, e: rae.email, r: 'COMMENTER' });
    await rae.context.setOffline(false);
    const page = await rae.context.newPage();
    await openDocument(page, documentId);
    await until(() => page.getByTestId('save-status').textContent(), (t) => t === 'Saved', 'the kept edits to be saved', 30_000);

    const { document } = await graphqlAs<{ document: { suggestions: Array<{ insertedText: string; author: { id: string } | null }> } }>(
      olga,
      'query($d: ID!) { document(id: $d) { suggestions { insertedText author { id } } } }',
      { d: documentId },
    );
    expect(document.suggestions.map((s) => s.insertedText)).toEqual(['Written offline']);
    expect(await page.getByTestId('unsent-edits').count()).toBe(0);
    await expect.poll(() => page.getByRole('radio', { name: 'Suggesting' }).getAttribute('aria-checked')).toBe('true');
  });
});
