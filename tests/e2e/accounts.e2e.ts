/**
 * Issue 19 item 5's rough edges on account screens: the share dialog keeps the address after an
 * error, and the API token's Copy control is a button that looks like one. Also the tokens page's
 * scopes and expiry (issue 21 item 4).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocument, signUp, until, type Person } from './support.ts';

let owner: Person;

beforeAll(async () => {
  owner = await signUp('Rita Rough');
});
afterAll(async () => {
  await owner?.context.close();
});

describe('account screens', () => {
  it('the share dialog keeps the email after an error, so it can be corrected', async () => {
    const { page } = owner;
    await createDocument(owner, 'Edges');
    await page.getByRole('button', { name: 'Share' }).click();
    const dialog = page.getByRole('dialog');
    // The browser accepts "name@host" as an email; the server wants a domain with a dot.
    await dialog.getByLabel('Email').fill('someone@intranet');
    await dialog.getByRole('button', { name: 'Invite' }).click();
    await until(() => dialog.getByRole('alert').count(), (n) => n === 1, 'the error');
    expect(await dialog.getByRole('alert').textContent()).toMatch(/not an email address/);
    expect(await dialog.getByLabel('Email').inputValue()).toBe('someone@intranet');
    // Corrected, it goes through and the field is cleared for the next person.
    await dialog.getByLabel('Email').fill('someone@intranet.example');
    await dialog.getByRole('button', { name: 'Invite' }).click();
    await until(() => dialog.getByRole('status').textContent(), (t) => t === 'Shared with someone@intranet.example.', 'the share');
    expect(await dialog.getByLabel('Email').inputValue()).toBe('');
    await dialog.getByRole('button', { name: 'Close sharing' }).click();
  });

  it('creates a token with chosen scopes and expiry, lists them, and its Copy control is a compact button', async () => {
    const { page } = owner;
    await page.goto('/settings/tokens');
    await page.getByLabel('Token name').fill('Sharing bot');
    await page.getByLabel('Expires').selectOption({ label: '30 days' });
    await page.getByRole('checkbox', { name: /Share/ }).check();
    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = page.getByTestId('new-token');
    await secret.waitFor();
    const copy = page.getByRole('button', { name: 'Copy' });
    const [copyBox, secretBox] = [await copy.boundingBox(), await secret.boundingBox()];
    // A button beside the secret's width, not a full-width white box under it like a text field.
    expect(copyBox!.width).toBeLessThan(secretBox!.width / 2);
    const look = await copy.evaluate((el) => ({ tag: el.tagName, background: getComputedStyle(el).backgroundColor, color: getComputedStyle(el).color }));
    expect(look.tag).toBe('BUTTON');
    expect(look.background).not.toBe('rgb(255, 255, 255)');
    const row = page.getByRole('row', { name: /Sharing bot/ });
    await row.waitFor();
    expect(await row.textContent()).toMatch(/read, write, share/);
    expect(await row.textContent()).not.toMatch(/never.*never/);
  });
});
