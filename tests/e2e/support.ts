/**
 * Helpers for the e2e tests: Debian's Chromium through playwright-core, people signed up through
 * the real pages, documents created through the real list, and the server's view of a document.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, inject } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const baseUrl = (): string => inject('baseUrl');
export const screenshotDir = path.resolve(import.meta.dirname, '../../docs/screenshots');

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let browser: Browser | null = null;
afterAll(async () => {
  await browser?.close();
  browser = null;
});

export async function getBrowser(): Promise<Browser> {
  browser ??= await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  return browser;
}

export interface Person {
  readonly name: string;
  readonly email: string;
  readonly context: BrowserContext;
  readonly page: Page;
}

let counter = 0;

/** A new person, signed up through /signup in a browser context of their own. */
export async function signUp(name: string, viewport = { width: 1200, height: 800 }): Promise<Person> {
  const context = await (await getBrowser()).newContext({ baseURL: baseUrl(), viewport });
  const page = await context.newPage();
  const email = `${name.toLowerCase().replace(/\W+/g, '.')}.${process.pid}.${++counter}@example.com`;
  await page.goto('/signup');
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('correct horse battery staple');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Documents' }).waitFor();
  return { name, email, context, page };
}

/** Signs `email` in through /signin on `page` (with signUp's password); resolves on the documents list. */
export async function signIn(page: Page, email: string): Promise<void> {
  await page.goto('/signin');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('correct horse battery staple');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Documents' }).waitFor();
}

/** Creates a document from the documents list; resolves with its id once the editor is open. */
export async function createDocument(person: Person, title: string): Promise<string> {
  const { page } = person;
  await page.goto('/');
  await page.getByLabel('Title of the new document').fill(title);
  await page.getByRole('button', { name: 'New document' }).click();
  await page.waitForURL(/\/docs\/[^/]+$/);
  await waitEditable(page);
  return decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
}

/** Opens /docs/<id> and waits until the document is loaded. */
export async function openDocument(page: Page, id: string): Promise<void> {
  await page.goto(`/docs/${encodeURIComponent(id)}`);
  await page.getByTestId('save-status').waitFor();
}

export async function waitEditable(page: Page): Promise<void> {
  await page.locator('.ql-editor[contenteditable="true"]').waitFor();
  await until(() => page.getByTestId('save-status').textContent(), (t) => t === 'Saved', 'the editor to say Saved');
}

/** Polls `read` until `ok` holds (usable in hooks, unlike expect.poll); fails with the last value. */
export async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await read();
    if (ok(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Puts the caret at the end of the text. */
/** The live editor's editable area (not a history preview). */
export const LIVE_EDITOR = '.editor-mount:not(.history-preview) .ql-editor';

export async function caretToEnd(page: Page): Promise<void> {
  await page.locator(LIVE_EDITOR).click();
  await page.keyboard.press('Control+End');
}

/** What a person sees in the editor, as plain text (one line per paragraph). */
export async function editorText(page: Page): Promise<string> {
  return page.locator(LIVE_EDITOR).evaluate((el) => [...el.children].map((block) => (block as HTMLElement).innerText.replace(/\n$/, '')).join('\n'));
}

/** The document at head on the server, as the same plain text (asked with the person's cookie). */
export async function serverText(person: Person, id: string): Promise<{ text: string; version: number }> {
  const response = await person.context.request.post('/api/graphql', {
    headers: { 'Content-Type': 'application/json' },
    data: { query: 'query($id: ID!) { document(id: $id) { version content } }', variables: { id } },
  });
  const body = (await response.json()) as { data?: { document: { version: number; content: { ops: Array<{ insert?: unknown }> } } | null } };
  const document = body.data?.document;
  if (!document) throw new Error(`cannot read document ${id}: ${JSON.stringify(body)}`);
  const text = document.content.ops.map((op) => (typeof op.insert === 'string' ? op.insert : '')).join('');
  return { text: text.replace(/\n$/, ''), version: document.version };
}

/** Runs a GraphQL operation with the person's session cookie. */
export async function graphqlAs<T>(person: Person, query: string, variables: Record<string, unknown>): Promise<T> {
  const response = await person.context.request.post('/api/graphql', { headers: { 'Content-Type': 'application/json' }, data: { query, variables } });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (body.errors?.length || !body.data) throw new Error(`GraphQL failed: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/**
 * Waits until `documents(search: text)` finds `count` of the person's documents: the background
 * search indexer takes up to about a second after an edit (lib/search/search-indexer.ts).
 */
export async function searchable(person: Person, text: string, count: number): Promise<void> {
  const query = 'query($s: String) { documents(search: $s) { edges { cursor } } }';
  await until(() => graphqlAs<{ documents: { edges: unknown[] } }>(person, query, { s: text }), (d) => d.documents.edges.length === count, `the search index to find ${count} for "${text}"`);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, name) });
}
