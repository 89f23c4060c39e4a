/**
 * Writing together in the browser: concurrent typing converges to the server's text, an offline
 * person's edits are kept and sent on reconnect, cursors of others are drawn, viewers cannot type.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { baseUrl, caretToEnd, createDocument, editorText, graphqlAs, LIVE_EDITOR, openDocument, screenshot, serverText, signUp, until, waitEditable, type Person } from './support.ts';

let alice: Person;
let bob: Person;
let carol: Person;
let documentId: string;

async function shareFromDialog(owner: Page, email: string, role: 'Viewer' | 'Editor'): Promise<void> {
  await owner.getByRole('button', { name: 'Share' }).click();
  const dialog = owner.getByRole('dialog');
  await dialog.getByLabel('Email').fill(email);
  await dialog.getByLabel('Role', { exact: true }).selectOption({ label: role });
  await dialog.getByRole('button', { name: 'Invite' }).click();
  // The notice, or the dialog's error when the share was refused (so a failure says why).
  const outcome = await until(
    async () => ((await dialog.getByRole('alert').count()) > 0 ? `error: ${await dialog.getByRole('alert').first().textContent()}` : await dialog.getByRole('status').textContent()),
    (t) => t === `Shared with ${email}.` || Boolean(t?.startsWith('error: ')),
    `sharing with ${email}`,
    60_000,
  );
  expect(outcome).toBe(`Shared with ${email}.`);
  await dialog.getByRole('button', { name: 'Close sharing' }).click();
}

/** Both editors show the same text, equal to the server's, with nothing left to save. */
async function converged(people: Person[], id: string): Promise<string> {
  for (const p of people) await expect.poll(() => p.page.getByTestId('save-status').textContent(), { timeout: 30_000 }).toBe('Saved');
  let server = '';
  await expect
    .poll(
      async () => {
        server = (await serverText(people[0]!, id)).text;
        const texts = await Promise.all(people.map((p) => editorText(p.page)));
        return texts.every((t) => t === server);
      },
      { timeout: 30_000 },
    )
    .toBe(true);
  return server;
}

beforeAll(async () => {
  [alice, bob, carol] = await Promise.all([signUp('Alice Archer'), signUp('Bob Baker'), signUp('Carol Clark')]);
  documentId = await createDocument(alice, 'Trip notes');
  await shareFromDialog(alice.page, bob.email, 'Editor');
  await shareFromDialog(alice.page, carol.email, 'Viewer');
  await openDocument(bob.page, documentId);
  await waitEditable(bob.page);
});

afterAll(async () => {
  await Promise.all([alice, bob, carol].filter(Boolean).map((p) => p.context.close()));
});

describe('two people in one document', () => {
  it('type at the same time and end with identical text equal to the server’s', async () => {
    await caretToEnd(alice.page);
    await alice.page.keyboard.type('Packing list', { delay: 15 });
    await alice.page.keyboard.press('Enter');
    await converged([alice, bob], documentId);

    await caretToEnd(bob.page);
    await alice.page.keyboard.press('Control+Home');
    await Promise.all([
      alice.page.keyboard.type('Alice: tent, stove and maps. ', { delay: 12 }),
      bob.page.keyboard.type('Bob: rope, torch and snacks. ', { delay: 12 }),
    ]);
    const text = await converged([alice, bob], documentId);
    expect(text).toContain('Alice: tent, stove and maps. ');
    expect(text).toContain('Bob: rope, torch and snacks. ');
    expect(text).toContain('Packing list');
  });

  it('draws each person’s cursor, with their name, in the other’s editor', async () => {
    await bob.page.keyboard.type('Bring water!', { delay: 10 });
    await alice.page.keyboard.type('Leave at 7. ', { delay: 10 });
    await converged([alice, bob], documentId);
    const bobInAlice = alice.page.locator('.remote-caret-name', { hasText: 'Bob Baker' });
    const aliceInBob = bob.page.locator('.remote-caret-name', { hasText: 'Alice Archer' });
    await bobInAlice.waitFor();
    await aliceInBob.waitFor();
    // Bob's caret sits after his last words, on the second line, below Alice's on the first.
    // Carets move when the last presence updates arrive (sent once each edit is confirmed), so
    // poll rather than measure once.
    await expect
      .poll(
        async () => {
          const bobCaret = await alice.page.locator('.remote-caret').filter({ has: bobInAlice }).boundingBox();
          const aliceCaret = await bob.page.locator('.remote-caret').filter({ has: aliceInBob }).boundingBox();
          return Boolean(bobCaret && aliceCaret && bobCaret.y > aliceCaret.y);
        },
        { timeout: 10_000 },
      )
      .toBe(true);
    // Both people show up as avatars.
    await expect.poll(() => alice.page.getByRole('list', { name: /In this document: .*Bob Baker/ }).count()).toBe(1);

    // A selection is drawn as highlighted text.
    await bob.page.keyboard.down('Shift');
    for (let i = 0; i < 6; i++) await bob.page.keyboard.press('ArrowLeft');
    await bob.page.keyboard.up('Shift');
    await expect.poll(() => alice.page.locator('.remote-selection').count()).toBeGreaterThan(0);
  });

  it('keeps edits made offline, shows them pending, and sends them on reconnect', async () => {
    await caretToEnd(bob.page);
    await bob.context.setOffline(true);
    await expect.poll(() => bob.page.getByTestId('save-status').textContent()).toMatch(/^Offline/);
    await bob.page.keyboard.type(' Written offline.', { delay: 10 });
    await expect.poll(() => bob.page.getByTestId('save-status').textContent()).toMatch(/^Offline — \d+ changes? pending$/);
    // Meanwhile Alice keeps writing at the start.
    await alice.page.keyboard.press('Control+Home');
    await alice.page.keyboard.type('Day 1. ', { delay: 10 });
    await expect.poll(() => alice.page.getByTestId('save-status').textContent()).toBe('Saved');
    expect((await serverText(alice, documentId)).text).not.toContain('Written offline.');

    await bob.context.setOffline(false);
    const text = await converged([alice, bob], documentId);
    expect(text).toContain('Written offline.');
    expect(text.startsWith('Day 1. ')).toBe(true);
  });

  it('lets a viewer read along live but not type', async () => {
    await openDocument(carol.page, documentId);
    await expect.poll(() => carol.page.locator('.ql-editor').getAttribute('contenteditable')).toBe('false');
    await expect.poll(() => carol.page.getByText('You are a viewer').count()).toBe(1);
    const before = await serverText(alice, documentId);
    await carol.page.locator('.ql-editor').click();
    await carol.page.keyboard.type('Carol tries to write', { delay: 5 });
    await carol.page.keyboard.press('Enter');
    await new Promise((r) => setTimeout(r, 500));
    expect(await serverText(alice, documentId)).toEqual(before);
    expect(await editorText(carol.page)).toBe(before.text);

    await caretToEnd(alice.page);
    await alice.page.keyboard.type(' Seen by Carol.', { delay: 10 });
    await expect.poll(() => editorText(carol.page), { timeout: 15_000 }).toContain('Seen by Carol.');
    await converged([alice, bob, carol], documentId);

    // Alice sees two other people: Bob selecting words, and Carol reading, present but without a
    // caret (a selection needs edit rights: issue 21).
    await carol.page.locator('.ql-editor p').first().click({ position: { x: 60, y: 8 } });
    await bob.page.locator('.ql-editor p').nth(1).click({ position: { x: 5, y: 8 } });
    await bob.page.keyboard.press('End');
    await bob.page.keyboard.down('Shift');
    for (let i = 0; i < 12; i++) await bob.page.keyboard.press('ArrowLeft');
    await bob.page.keyboard.up('Shift');
    await alice.page.locator('.remote-caret-name', { hasText: 'Bob Baker' }).waitFor();
    await expect.poll(() => alice.page.locator('.remote-selection').first().evaluate((el) => el.getBoundingClientRect().width)).toBeGreaterThan(50);
    await expect.poll(() => alice.page.getByRole('list', { name: /In this document: .*Bob Baker.*Carol Clark|In this document: .*Carol Clark.*Bob Baker/ }).count()).toBe(1);
    expect(await alice.page.locator('.remote-caret-name', { hasText: 'Carol Clark' }).count()).toBe(0);
    await screenshot(alice.page, 'editor-two-cursors.png');
  });
});

/** Carol's user id, read by Alice (the owner) from the collaborators list. */
async function userIdOf(person: Person): Promise<string> {
  const { collaborators } = await graphqlAs<{ collaborators: Array<{ user: { id: string; email: string } }> }>(
    alice,
    'query($d: ID!) { collaborators(documentId: $d) { user { id email } } }',
    { d: documentId },
  );
  return collaborators.find((c) => c.user.email === person.email)!.user.id;
}

async function setRole(person: Person, role: 'EDITOR' | 'VIEWER'): Promise<void> {
  await graphqlAs(alice, 'mutation($d: ID!, $u: ID!, $r: Role!) { updateCollaboratorRole(documentId: $d, userId: $u, role: $r) { role } }', {
    d: documentId,
    u: await userIdOf(person),
    r: role,
  });
}

/** Resolves when the live editor's contenteditable is `editable`, failing after `timeoutMs` (checked every frame). */
async function editableWithin(page: Page, editable: boolean, timeoutMs: number): Promise<void> {
  await page.waitForFunction(
    ([selector, want]) => document.querySelector(selector as string)?.getAttribute('contenteditable') === String(want),
    [LIVE_EDITOR, editable] as const,
    { timeout: timeoutMs, polling: 'raf' },
  );
}

describe('live roles (issue 19) and too-large pastes (issue 14)', () => {
  it('a promotion enables editing and a demotion makes the text read-only within a second, in the open editor', async () => {
    await openDocument(carol.page, documentId);
    await editableWithin(carol.page, false, 10_000);
    await setRole(carol, 'EDITOR');
    await editableWithin(carol.page, true, 1_000);
    await expect.poll(() => carol.page.getByText('Your role on this document changed to editor').count()).toBe(1);
    await caretToEnd(carol.page);
    await carol.page.keyboard.type(' Carol can write now.', { delay: 10 });
    expect(await converged([alice, carol], documentId)).toContain('Carol can write now.');

    await setRole(carol, 'VIEWER');
    await editableWithin(carol.page, false, 1_000);
    await expect.poll(() => carol.page.getByText('You are a viewer').count()).toBe(1);
  });

  it('keeps what was typed before a demotion reached the editor visible, with a way to copy it', async () => {
    await setRole(carol, 'EDITOR');
    await editableWithin(carol.page, true, 1_000);
    await carol.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl() });
    await caretToEnd(carol.page);
    // Offline, so that the demotion reaches Carol only after she typed.
    await carol.context.setOffline(true);
    await expect.poll(() => carol.page.getByTestId('save-status').textContent()).toMatch(/^Offline/);
    await carol.page.keyboard.type(' Typed by Carol before the demotion.', { delay: 10 });
    await setRole(carol, 'VIEWER');
    await carol.context.setOffline(false);

    const panel = carol.page.getByTestId('unsent-edits');
    await panel.waitFor({ timeout: 15_000 });
    await expect.poll(() => panel.getByLabel('Text that was not saved').inputValue()).toBe(' Typed by Carol before the demotion.');
    await editableWithin(carol.page, false, 1_000);
    // The editor shows the server's text, and says what happened.
    await expect.poll(async () => (await editorText(carol.page)) === (await serverText(alice, documentId)).text, { timeout: 15_000 }).toBe(true);
    expect((await serverText(alice, documentId)).text).not.toContain('Typed by Carol before the demotion.');
    await panel.getByRole('button', { name: 'Copy text' }).click();
    await expect.poll(() => panel.getByRole('status').textContent()).toBe('Copied.');
    expect(await carol.page.evaluate(() => navigator.clipboard.readText())).toBe(' Typed by Carol before the demotion.');
    await screenshot(carol.page, 'editor-unsent-after-demotion.png');
    await panel.getByRole('button', { name: 'Dismiss' }).click();
    expect(await panel.count()).toBe(0);
  });

  it('a 2 MB paste is taken back with the limit named, and nothing typed before it is lost or left hanging', async () => {
    await caretToEnd(bob.page);
    await bob.page.keyboard.type(' Typed just before the paste.', { delay: 5 });
    // No waiting for "Saved": the paste lands while that edit is still unconfirmed.
    await bob.page.locator(LIVE_EDITOR).evaluate((editor, text) => {
      const data = new DataTransfer();
      data.setData('text/plain', text);
      editor.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    }, 'x'.repeat(2 * 1024 * 1024));
    await expect.poll(() => bob.page.getByText('one change may insert at most 1,000,000').count(), { timeout: 15_000 }).toBe(1);
    const text = await converged([alice, bob], documentId);
    expect(text).toContain('Typed just before the paste.');
    expect(text).not.toContain('xxxx');
    expect(await editorText(bob.page)).toBe(text);
  });
});
