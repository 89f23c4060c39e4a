/**
 * Issue 20, reloading WHILE OFFLINE, in Chromium: the service worker (public/sw.js) serves the
 * kept page and its build files with the network off, the editor opens the person's kept edits
 * from IndexedDB, says it is offline with what is pending, takes more typing, and once online
 * resubmits and converges with a second browser; the same after the browser is closed and
 * reopened on the same profile; another account on that profile sees nothing of it, and pages
 * are the same bytes for every account (so a kept page shows nobody's data). (Item 2, no edit
 * lost to a crash, is shown exactly by tests/unit/offline-stored-before-sent.test.ts.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { baseUrl, caretToEnd, createDocument, editorText, graphqlAs, openDocument, screenshot, serverText, signIn, signUp, until, waitEditable, type Person } from './support.ts';

const status = (page: Page) => page.getByTestId('save-status').textContent();
const share = (owner: Person, documentId: string, email: string) =>
  graphqlAs(owner, 'mutation($d: ID!, $e: String!) { shareDocument(documentId: $d, email: $e, role: EDITOR) { role } }', { d: documentId, e: email });

/** Waits until the service worker has kept the page shown now (it then loads offline). */
async function keptOffline(page: Page): Promise<void> {
  const url = page.url().split('#')[0]!;
  await until(() => page.evaluate(() => document.documentElement.getAttribute('data-offline-ready')), (v) => v === url, `the service worker to keep ${url}`, 60_000);
}

/** Reloads with the network off; the page must come from the service worker. */
async function reloadOffline(page: Page): Promise<void> {
  const response = await page.reload();
  expect(response?.fromServiceWorker()).toBe(true);
  await page.getByTestId('save-status').waitFor();
}

async function typeAtEnd(page: Page, text: string): Promise<void> {
  await caretToEnd(page);
  await page.keyboard.type(text, { delay: 5 });
}

/** Every editor says Saved and shows the server's text. */
async function converged(pages: Page[], owner: Person, documentId: string): Promise<string> {
  for (const page of pages) await until(() => status(page), (t) => t === 'Saved', 'Saved', 60_000);
  let server = '';
  await until(
    async () => {
      server = (await serverText(owner, documentId)).text;
      return (await Promise.all(pages.map((p) => editorText(p)))).every((t) => t === server);
    },
    (same) => same,
    'the editors to show the server text',
    30_000,
  );
  return server;
}

const launchProfile = (profile: string) =>
  chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    baseURL: baseUrl(),
    viewport: { width: 1200, height: 800 },
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'],
  });

async function signInOn(context: BrowserContext, email: string): Promise<Page> {
  const page = context.pages()[0] ?? (await context.newPage());
  await signIn(page, email);
  return page;
}

let pia: Person;
let quinn: Person;

beforeAll(async () => {
  [pia, quinn] = await Promise.all([signUp('Pia Perez'), signUp('Quinn Quade')]);
});

afterAll(async () => {
  await Promise.all([pia, quinn].filter(Boolean).map((p) => p.context.close()));
});

describe('reload while offline (issue 20 item 1)', () => {
  it('the page loads offline with the kept edits, takes more typing, and converges with a second browser once online', async () => {
    const documentId = await createDocument(pia, 'Offline reload');
    await share(pia, documentId, quinn.email);
    await openDocument(quinn.page, documentId);
    await waitEditable(quinn.page);
    const { page, context } = pia;
    await keptOffline(page); // reached by a client-side navigation from the list

    await context.setOffline(true);
    await until(() => status(page), (t) => (t ?? '').startsWith('Offline'), 'the editor to say it is offline');
    await typeAtEnd(page, 'Typed offline.');
    await until(() => status(page), (t) => t === 'Offline — 14 changes pending' || /^Offline — \d+ changes pending$/.test(t ?? ''), 'the edits to be pending');
    // Offline for the service worker too: a page it never kept does not load.
    const probe = await context.newPage();
    await expect(probe.goto('/settings/tokens?never-kept')).rejects.toThrow();
    await probe.close();
    await reloadOffline(page);
    await until(() => editorText(page), (t) => t === 'Typed offline.', 'the kept edits after the offline reload');
    expect(await status(page)).toMatch(/^Offline — \d+ changes? from your last visit waiting to be saved$/);
    await screenshot(page, 'offline-reload-offline.png');
    // Still offline: the person keeps typing, and Quinn edits meanwhile.
    await typeAtEnd(page, ' And more.');
    expect(await editorText(page)).toBe('Typed offline. And more.');
    await caretToEnd(quinn.page);
    await quinn.page.keyboard.type('Quinn was here. ', { delay: 5 });
    await until(() => status(quinn.page), (t) => t === 'Saved', 'Quinn saved');

    await context.setOffline(false);
    const text = await converged([page, quinn.page], pia, documentId);
    expect(text).toContain('Typed offline. And more.');
    expect(text).toContain('Quinn was here.');
    expect(text.length).toBe('Typed offline. And more.'.length + 'Quinn was here. '.length);
    // Resubmitted under the same (clientId, clientSeq): each edit is in the history once.
    expect(text.split('Typed offline.').length).toBe(2);
  });

  it('pages are the same bytes for every account (a kept page carries nobody’s data)', async () => {
    const documentId = await createDocument(pia, 'Same page');
    await share(pia, documentId, quinn.email);
    const bodyAs = async (context: BrowserContext) => {
      const response = await context.request.get(`/docs/${documentId}`);
      expect(response.status()).toBe(200);
      // Only the per-response CSP nonce differs between two renders: the header names it.
      const nonce = /'nonce-([^']+)'/.exec(response.headers()['content-security-policy'] ?? '')?.[1];
      expect(nonce).toBeTruthy();
      return (await response.text()).replaceAll(nonce!, 'NONCE');
    };
    const asPia = await bodyAs(pia.context);
    const asQuinn = await bodyAs(quinn.context);
    const at = [...asPia].findIndex((c, i) => asQuinn[i] !== c);
    expect(at === -1 && asQuinn.length === asPia.length ? 'same' : `differs at ${at}: ${asPia.slice(at - 80, at + 80)} / ${asQuinn.slice(at - 80, at + 80)}`).toBe('same');
    expect(asPia).not.toContain(pia.email);
    expect(asPia).not.toContain('Pia Perez');
  });
});

describe('reload offline after closing the browser; another account on the profile (issue 20 item 1)', () => {
  it('the reopened profile loads the document offline with the edits, converges online; the next account sees none of it', async () => {
    const documentId = await createDocument(pia, 'Profile');
    await share(pia, documentId, quinn.email);
    const profile = mkdtempSync(path.join(tmpdir(), 'verso-profile-'));
    try {
      let browser = await launchProfile(profile);
      let page = await signInOn(browser, pia.email);
      await openDocument(page, documentId);
      await waitEditable(page);
      await keptOffline(page);
      await browser.setOffline(true);
      await until(() => status(page), (t) => (t ?? '').startsWith('Offline'), 'offline');
      await typeAtEnd(page, 'Before closing.');
      await until(() => status(page), (t) => /pending/.test(t ?? ''), 'pending');
      await browser.close();

      // Reopened with the network still off: the page, the editor and the edits all load.
      browser = await launchProfile(profile);
      await browser.setOffline(true);
      page = browser.pages()[0] ?? (await browser.newPage());
      const response = await page.goto(`/docs/${documentId}`);
      expect(response?.fromServiceWorker()).toBe(true);
      await until(() => editorText(page), (t) => t === 'Before closing.', 'the kept edits in the reopened browser');
      expect(await status(page)).toMatch(/^Offline — \d+ changes? from your last visit waiting to be saved$/);
      await typeAtEnd(page, ' After reopening.');
      await browser.setOffline(false);
      await until(() => status(page), (t) => t === 'Saved', 'Saved', 60_000);
      await openDocument(quinn.page, documentId);
      await waitEditable(quinn.page);
      expect(await converged([page, quinn.page], pia, documentId)).toBe('Before closing. After reopening.');

      // Pia types offline again and leaves without signing out; Quinn signs in on the profile.
      await browser.setOffline(true);
      await until(() => status(page), (t) => (t ?? '').startsWith('Offline'), 'offline');
      await typeAtEnd(page, ' Pia only.');
      await until(() => status(page), (t) => /pending/.test(t ?? ''), 'pending');
      await browser.close();
      browser = await launchProfile(profile);
      await browser.clearCookies();
      page = await signInOn(browser, quinn.email);
      await openDocument(page, documentId);
      await waitEditable(page);
      expect(await editorText(page)).toBe('Before closing. After reopening.');
      await keptOffline(page);
      // Offline too, Quinn's page opens nothing of Pia's.
      await browser.setOffline(true);
      await page.reload();
      await page.waitForTimeout(1_000);
      expect(await page.locator('body').innerText()).not.toContain('Pia only.');
      await browser.close();
      expect((await serverText(pia, documentId)).text).toBe('Before closing. After reopening.');
    } finally {
      rmSync(profile, { recursive: true, force: true });
    }
  });
});

describe('sign-out forgets what was kept for offline use (issue 20 item 1)', () => {
  it('deletes the kept pages and the remembered account along with the edits', async () => {
    const { page } = pia;
    await page.goto('/');
    await page.getByRole('heading', { name: 'Documents' }).waitFor();
    await keptOffline(page);
    const kept = () =>
      page.evaluate(async () => {
        const names = (await caches.keys()).filter((name) => name.startsWith('verso-pages-'));
        const paths = (await Promise.all(names.map(async (name) => (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname)))).flat();
        return { documents: paths.filter((p) => p.startsWith('/docs/')).length, identity: localStorage.getItem('verso-offline-identity') !== null };
      });
    const before = await kept();
    expect(before.identity).toBe(true);
    expect(before.documents).toBeGreaterThan(0); // the documents Pia opened above
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await page.getByRole('link', { name: /sign in/i }).first().waitFor();
    // The landing page may be kept again (it holds nobody's data); none of Pia's documents are.
    expect(await kept()).toEqual({ documents: 0, identity: false });
  });
});
