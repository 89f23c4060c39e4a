/**
 * Issue 21 item 6 and issue 19 item 1: production-safe defaults (loopback, a generated secret
 * instead of a fixed one), origins accepted from the address a person opened (development and
 * zero-config) or only from APP_ORIGIN/ALLOWED_ORIGINS (production with APP_ORIGIN).
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { originAllowed, originRefusedMessage, requestOrigin } from '../../lib/auth/request-helpers.ts';
import { ConfigError, loadConfig } from '../../lib/config.ts';
import { listenScope, openAt } from '../../lib/server/http-server.ts';
import { pageCsp } from '../../lib/server/security-headers.ts';
import pkg from '../../package.json' with { type: 'json' };

const folders: string[] = [];
afterAll(() => folders.forEach((f) => rmSync(f, { recursive: true, force: true })));
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'verso-defaults-'));
  folders.push(dir);
  return dir;
}

function request(headers: Record<string, string>, encrypted = false): IncomingMessage {
  return { headers, socket: { encrypted } } as unknown as IncomingMessage;
}

describe('production-safe defaults', () => {
  it('`npm start` runs with NODE_ENV=production and `npm run dev` in development', () => {
    expect(pkg.scripts.start).toMatch(/^NODE_ENV=production /);
    expect(pkg.scripts.dev).toMatch(/NODE_ENV=development/);
    expect(pkg.scripts.dev).toMatch(/VERSO_DEV=1/);
  });

  it('listens on loopback unless HOST says otherwise, and the start-up line says so', () => {
    const config = loadConfig({});
    expect(config.host).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(listenScope(config)).toMatch(/this machine only; HOST=0\.0\.0\.0 accepts other machines/);
    expect(listenScope(loadConfig({ HOST: '0.0.0.0' }))).toMatch(/other machines included/);
    expect(openAt(loadConfig({ PORT: '0' }), 41234)).toBe('http://localhost:41234');
    expect(openAt(loadConfig({ NODE_ENV: 'production', APP_ORIGIN: 'https://docs.example.com', AUTH_SECRET: 'x'.repeat(40) }), 3000)).toBe('https://docs.example.com');
  });

  it('production without AUTH_SECRET in single-instance mode generates one into DATA_DIR (0600) and keeps it', () => {
    const dataDir = path.join(tempDir(), 'data');
    const first = loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir });
    expect(first.authSecretSource).toBe('data-dir');
    expect(first.authSecret).not.toBe(loadConfig({}).authSecret);
    expect(first.authSecret.length).toBeGreaterThanOrEqual(32);
    expect(readFileSync(path.join(dataDir, 'auth-secret'), 'utf8')).toBe(first.authSecret);
    expect(statSync(path.join(dataDir, 'auth-secret')).mode & 0o777).toBe(0o600);
    expect(loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir }).authSecret).toBe(first.authSecret);
  });

  it('production with DATABASE_URL (several instances possible) still requires AUTH_SECRET', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgresql://localhost/verso' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production', AUTH_SECRET: 'short' })).toThrow(/too short/);
  });
});

describe('origins', () => {
  it('development and zero-config accept the address the page was opened at; production with APP_ORIGIN does not', () => {
    expect(loadConfig({}).originFromHost).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production', DATA_DIR: tempDir() }).originFromHost).toBe(true);
    expect(loadConfig({ APP_ORIGIN: 'http://localhost:3000' }).originFromHost).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production', APP_ORIGIN: 'https://docs.example.com', AUTH_SECRET: 'x'.repeat(40) }).originFromHost).toBe(false);
  });

  it("the request's own origin comes from Host, and from X-Forwarded-Proto only behind a trusted proxy", () => {
    expect(requestOrigin(request({ host: '127.0.0.1:3100' }), false)).toBe('http://127.0.0.1:3100');
    expect(requestOrigin(request({ host: 'docs.lan' }, true), false)).toBe('https://docs.lan');
    expect(requestOrigin(request({ host: 'docs.lan', 'x-forwarded-proto': 'https' }), false)).toBe('http://docs.lan');
    expect(requestOrigin(request({ host: 'docs.lan', 'x-forwarded-proto': 'https' }), true)).toBe('https://docs.lan');
    expect(requestOrigin(request({}), false)).toBeNull();
  });

  it('zero-config: same-origin requests from 127.0.0.1, a LAN address or a hostname pass; cross-site ones never do', () => {
    const config = loadConfig({ PORT: '3100' });
    for (const host of ['localhost:3100', '127.0.0.1:3100', '192.168.1.20:3100', 'verso.lan:3100']) {
      expect(originAllowed(request({ host, origin: `http://${host}` }), config)).toBe(true);
    }
    expect(originAllowed(request({ host: '127.0.0.1:3100', origin: 'http://evil.example' }), config)).toBe(false);
    // Another app on the same machine (cookies are shared across ports): still another origin.
    expect(originAllowed(request({ host: '127.0.0.1:3100', origin: 'http://127.0.0.1:8080' }), config)).toBe(false);
    expect(originAllowed(request({ host: '127.0.0.1:3100', origin: 'null' }), config)).toBe(false);
  });

  it('production with APP_ORIGIN: only APP_ORIGIN and ALLOWED_ORIGINS, and the refusal names both settings', () => {
    const config = loadConfig({ NODE_ENV: 'production', APP_ORIGIN: 'https://docs.example.com', ALLOWED_ORIGINS: 'https://admin.example.com', AUTH_SECRET: 'x'.repeat(40) });
    expect(originAllowed(request({ host: 'docs.example.com', origin: 'https://docs.example.com' }), config)).toBe(true);
    expect(originAllowed(request({ host: 'docs.example.com', origin: 'https://admin.example.com' }), config)).toBe(true);
    const lan = request({ host: '10.0.0.5:3000', origin: 'http://10.0.0.5:3000' });
    expect(originAllowed(lan, config)).toBe(false);
    const message = originRefusedMessage(lan, config);
    expect(message).toContain('APP_ORIGIN (https://docs.example.com)');
    expect(message).toContain('ALLOWED_ORIGINS');
    expect(message).toContain('http://10.0.0.5:3000');
  });
});

describe('page Content-Security-Policy', () => {
  it('production: scripts and style elements only with the nonce, never eval, never framed', () => {
    const csp = pageCsp('abc', false);
    expect(csp).toContain("script-src 'self' 'nonce-abc' 'strict-dynamic';");
    expect(csp).toContain("style-src 'self' 'nonce-abc';");
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).not.toMatch(/style-src [^;]*unsafe-inline/);
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it("development: React's eval and hot reload's style elements (checked in Chromium: no violation under npm run dev)", () => {
    const csp = pageCsp('abc', true);
    expect(csp).toContain("script-src 'self' 'nonce-abc' 'strict-dynamic' 'unsafe-eval';");
    expect(csp).toContain("style-src 'self' 'unsafe-inline';");
  });
});
