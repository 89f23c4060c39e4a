/**
 * Issue 19 item 1 and issue 21 items 6, 9, 13 in a browser: `npm start` with nothing configured,
 * opened as http://127.0.0.1:PORT (not the localhost of APP_ORIGIN's default), signs up and edits;
 * a production server opened at an address outside APP_ORIGIN says which setting to change;
 * `callbackUrl` cannot leave the app; every page carries a nonce'd Content-Security-Policy that
 * the app runs under without a single violation; unknown URLs get a page with a way home.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { baseUrl, getBrowser, LIVE_EDITOR, screenshot, until, waitEditable } from './support.ts';
import { freePort } from '../../bench/lib/free-port.ts';

const root = path.resolve(import.meta.dirname, '../..');
const PASSWORD = 'correct horse battery staple';
const contexts: BrowserContext[] = [];
const cleanups: Array<() => Promise<void> | void> = [];

afterAll(async () => {
  await Promise.all(contexts.map((c) => c.close()));
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A browser page whose CSP violations (and script errors) are collected. */
async function watchedPage(base: string): Promise<{ context: BrowserContext; page: Page; violations: string[] }> {
  const context = await (await getBrowser()).newContext({ baseURL: base, viewport: { width: 1200, height: 800 } });
  contexts.push(context);
  const page = await context.newPage();
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to (execute|load|apply|connect)/i.test(message.text())) violations.push(message.text());
  });
  page.on('pageerror', (error) => violations.push(`page error: ${error.message}`));
  return { context, page, violations };
}

async function signUpIn(page: Page, email: string, path = '/signup'): Promise<void> {
  await page.goto(path);
  await page.getByLabel('Name').fill('Olga Origin');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
}

/** `npm start` as a newcomer runs it: NODE_ENV=production and nothing else set (embedded database). */
async function startZeroConfig(): Promise<{ port: number; stdout: () => string }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'verso-e2e-zero-'));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production', PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  for (const name of ['DATABASE_URL', 'REDIS_URL', 'AUTH_SECRET', 'APP_ORIGIN', 'ALLOWED_ORIGINS', 'HOST', 'VERSO_DEV', 'VITEST']) delete env[name];
  const child: ChildProcess = spawn(path.join(root, 'node_modules/.bin/tsx'), [path.join(root, 'server.ts')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  cleanups.push(async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const forced = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(forced);
    }
    rmSync(dataDir, { recursive: true, force: true });
  });
  await until(async () => out, (o) => o.includes('Verso is ready') || child.exitCode !== null, 'the zero-config server to be ready', 120_000);
  if (child.exitCode !== null) throw new Error(`the zero-config server exited:\n${out}`);
  return { port, stdout: () => out };
}

describe('origins', () => {
  it('zero-config `npm start`: loopback only, says where to open it, and works when opened as 127.0.0.1 (sign up, edit)', async () => {
    const { port, stdout } = await startZeroConfig();
    expect(stdout()).toContain(`Verso is ready on http://localhost:${port} (listening on port ${port} on 127.0.0.1, this machine only; HOST=0.0.0.0 accepts other machines)`);

    const { page, violations } = await watchedPage(`http://127.0.0.1:${port}`);
    await signUpIn(page, `olga.${process.pid}@example.com`);
    await page.getByRole('heading', { name: 'Documents' }).waitFor();
    await page.getByLabel('Title of the new document').fill('Opened as 127.0.0.1');
    await page.getByRole('button', { name: 'New document' }).click();
    await page.waitForURL(/\/docs\/[^/]+$/);
    await waitEditable(page);
    await page.locator(LIVE_EDITOR).click();
    await page.keyboard.type('Typed from 127.0.0.1.');
    await until(() => page.getByTestId('save-status').textContent(), (t) => t === 'Saved', 'the edit to be saved');
    expect(await page.locator(LIVE_EDITOR).innerText()).toContain('Typed from 127.0.0.1.');
    expect(violations).toEqual([]);

    // The address the log gives works too (another origin for the browser: sign in again there).
    const other = await watchedPage(`http://localhost:${port}`);
    await other.page.goto('/signin');
    await other.page.getByLabel('Email').fill(`olga.${process.pid}@example.com`);
    await other.page.getByLabel('Password').fill(PASSWORD);
    await other.page.getByRole('button', { name: 'Sign in' }).click();
    await other.page.getByRole('link', { name: 'Opened as 127.0.0.1' }).waitFor();
    expect(other.violations).toEqual([]);
  });

  it('production with APP_ORIGIN: opened at another address, sign-up names APP_ORIGIN and ALLOWED_ORIGINS', async () => {
    // The suite's server has APP_ORIGIN=http://127.0.0.1:PORT; localhost:PORT is another origin.
    const other = baseUrl().replace('127.0.0.1', 'localhost');
    const { page } = await watchedPage(other);
    await signUpIn(page, `lost.${process.pid}@example.com`);
    const error = page.locator('.form-error');
    await error.waitFor();
    const text = (await error.textContent()) ?? '';
    expect(text).toContain(`APP_ORIGIN (${baseUrl()})`);
    expect(text).toContain('ALLOWED_ORIGINS');
    expect(text).toContain(other);
    await screenshot(page, 'origin-refused.png');
  });
});

describe('callbackUrl', () => {
  it.each(['//evil.example/phish', '/\\evil.example/phish', 'https://evil.example/phish'])('sign-up with callbackUrl=%s stays on the app', async (target) => {
    const { page } = await watchedPage(baseUrl());
    await signUpIn(page, `cb.${process.pid}.${Math.random().toString(36).slice(2)}@example.com`, `/signup?callbackUrl=${encodeURIComponent(target)}`);
    await page.getByRole('heading', { name: 'Documents' }).waitFor();
    expect(new URL(page.url()).origin).toBe(baseUrl());
  });

  it('sign-in with a hostile callbackUrl stays on the app; a path of the app is followed', async () => {
    const email = `cb-in.${process.pid}@example.com`;
    const { context, page } = await watchedPage(baseUrl());
    await signUpIn(page, email);
    await page.getByRole('heading', { name: 'Documents' }).waitFor();
    await context.clearCookies();
    for (const [target, lands] of [['//evil.example/phish', '/'], ['/settings/tokens', '/settings/tokens']] as const) {
      await page.goto(`/signin?callbackUrl=${encodeURIComponent(target)}`);
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((url) => url.pathname === lands);
      expect(new URL(page.url()).origin).toBe(baseUrl());
      await context.clearCookies();
    }
  });
});

describe('security headers and Content-Security-Policy', () => {
  it('pages carry a fresh nonce on every script, static files and the API nosniff and frame protection', async () => {
    const first = await fetch(`${baseUrl()}/signin`);
    const second = await fetch(`${baseUrl()}/signin`);
    const html = await first.text();
    const csp = first.headers.get('content-security-policy') ?? '';
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(second.headers.get('content-security-policy')).not.toBe(csp);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("'strict-dynamic'");
    expect(csp).not.toContain('unsafe-eval');
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);

    const asset = /(?:src|href)="(\/_next\/static\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeTruthy();
    for (const url of [`/signin`, asset!, '/favicon.svg', '/api/health', '/no-such-page']) {
      const response = await fetch(`${baseUrl()}${url}`);
      expect(response.headers.get('x-content-type-options'), url).toBe('nosniff');
      expect(response.headers.get('x-frame-options'), url).toBe('DENY');
      expect(response.headers.get('content-security-policy'), url).toContain("frame-ancestors 'none'");
    }
  });

  it('the app runs under the policy: sign-up, documents, editor and history log no violation', async () => {
    const { page, violations } = await watchedPage(baseUrl());
    await signUpIn(page, `csp.${process.pid}@example.com`);
    await page.getByRole('heading', { name: 'Documents' }).waitFor();
    await page.getByRole('button', { name: 'New document' }).click();
    await page.waitForURL(/\/docs\/[^/]+$/);
    await waitEditable(page);
    await page.locator(LIVE_EDITOR).click();
    await page.keyboard.type('Under a strict policy.');
    await until(() => page.getByTestId('save-status').textContent(), (t) => t === 'Saved', 'the edit to be saved');
    await page.getByRole('button', { name: 'History' }).click();
    await page.getByRole('complementary', { name: 'History' }).waitFor();
    await page.goto('/settings/tokens');
    await page.getByRole('heading', { name: 'API tokens' }).waitFor();
    expect(violations).toEqual([]);
  });
});

describe('unknown URLs', () => {
  it('answer 404 with a page that leads home', async () => {
    const { page, violations } = await watchedPage(baseUrl());
    const response = await page.goto('/this/does/not/exist');
    expect(response?.status()).toBe(404);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    await screenshot(page, 'not-found.png');
    await page.getByRole('link', { name: 'Go to your documents' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await page.getByRole('link', { name: 'Sign in' }).waitFor();
    expect(violations).toEqual([]);
  });
});
