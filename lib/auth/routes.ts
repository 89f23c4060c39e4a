/**
 * /api/auth/* in the custom server (so one Prisma pool serves them, and tests that start the API
 * without Next get them too). Two routes are Verso's own, at the URLs API.md fixes:
 * - `POST /api/auth/signup` (JSON) creates an account and signs it in;
 * - `POST /api/auth/callback/credentials` (next-auth's credentials flow: csrfToken from
 *   `GET /api/auth/csrf`, email, password) checks next-auth's CSRF token and the password, then
 *   inserts a Session row and sets next-auth's session cookie.
 * Everything else (csrf, session, signout, providers, OAuth sign-in and callbacks) is next-auth's
 * own handler, with the Prisma adapter and database sessions.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { NextRequest } from 'next/server';
import type { Config } from '../config.ts';
import type { PrismaClient } from '../db/prisma.ts';
import type { Logger } from '../logger.ts';
import { signUpWithPassword, verifyCredentials } from './accounts.ts';
import { authCookieNames, authCookieOptions, parseCookies, serializeCookie } from './cookies.ts';
import { emailProblem, normalizeEmail } from './email.ts';
import { addressLimitKey, BodyTooLargeError, clientAddress, originAllowed, originRefusedMessage, parseFields, readBody, sendJson, sendWebResponse } from './request-helpers.ts';
import { AUTH_BASE_PATH } from './next-auth.ts';
import { ensurePersonalOrganization } from './organizations.ts';
import { MAX_PASSWORD_LENGTH } from './password.ts';
import { hasControlCharacters } from './text.ts';
import { consumeAll, type RateLimitDecision, type RateLimiter } from '../rate-limit/rate-limiter.ts';
import type { CredentialRevocations } from './revocation.ts';
import { createSession, deleteSessionByToken } from './sessions.ts';
import { sendVerificationEmail, verifyEmail, VERIFY_EMAIL_PATH } from './email-verification.ts';
import { acceptInvitations } from './invitations.ts';
import { mailerFor } from './mailer.ts';
import { sameOriginPath } from './redirects.ts';

export interface AuthRoutesDeps {
  readonly config: Config;
  readonly prisma: PrismaClient;
  /** Sign-in and sign-up limits (Redis-backed, or in-process without Redis). */
  readonly rateLimiter: RateLimiter;
  readonly logger: Logger;
  readonly revocations: CredentialRevocations;
  /** next-auth's route handlers (`createNextAuth(...).handlers`). */
  readonly handlers: { readonly GET: (req: NextRequest) => Promise<Response>; readonly POST: (req: NextRequest) => Promise<Response> };
}

/** Handles one request under /api/auth/. */
export type AuthRouteHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** Builds the handler for /api/auth/*. */
export function createAuthRoutes(deps: AuthRoutesDeps): AuthRouteHandler {
  const { config } = deps;
  const names = authCookieNames(config.appOrigin);

  /** Deletes the session the request already carries (a new one replaces it) and ends its sockets. */
  async function rotateAway(req: IncomingMessage): Promise<void> {
    const previous = parseCookies(req.headers.cookie).get(names.sessionToken);
    if (!previous) return;
    const id = await deleteSessionByToken(deps.prisma, previous);
    if (id) await deps.revocations.revoke({ kind: 'session', id });
  }

  async function startSession(req: IncomingMessage, userId: string): Promise<string> {
    await rotateAway(req);
    const session = await createSession(deps.prisma, userId, req.headers['user-agent'] ?? null);
    return serializeCookie(names.sessionToken, session.sessionToken, { ...authCookieOptions(config.appOrigin), expires: session.expires });
  }

  /** The client's address as per-address limits count it (IPv6 by /64). */
  const limitedAddress = (req: IncomingMessage) => addressLimitKey(clientAddress(req, config.trustProxy));

  function limitPerAddress(req: IncomingMessage, extra: Array<{ name: string; subject: string }> = []): Promise<RateLimitDecision> {
    const { signInPerAddress, signInPerAccount } = config.rateLimits;
    return consumeAll(deps.rateLimiter, [
      { name: 'signin-address', rule: signInPerAddress, subject: limitedAddress(req) },
      ...extra.map((e) => ({ ...e, rule: signInPerAccount })),
    ]);
  }

  function rateLimited(res: ServerResponse, decision: { retryAfterSeconds: number }): void {
    sendJson(
      res,
      429,
      { error: 'RATE_LIMITED', message: `Too many sign-in attempts; try again in ${decision.retryAfterSeconds} s.`, retryAfterSeconds: decision.retryAfterSeconds },
      { 'Retry-After': String(decision.retryAfterSeconds) },
    );
  }

  async function signUp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'METHOD_NOT_ALLOWED', message: 'Use POST.' }, { Allow: 'POST' });
    // Requiring JSON forces a CORS preflight on cross-site requests (which this server never
    // grants), so a hostile page cannot sign a visitor up into an account it controls.
    if (!(req.headers['content-type'] ?? '').includes('application/json')) {
      return sendJson(res, 415, { error: 'UNSUPPORTED_MEDIA_TYPE', message: 'Send the account as JSON: Content-Type: application/json.' });
    }
    if (!originAllowed(req, config)) return sendJson(res, 403, { error: 'FORBIDDEN', message: originRefusedMessage(req, config) });
    const fields = parseFields(await readBody(req), req.headers['content-type']);
    if (!fields) return sendJson(res, 400, { error: 'BAD_REQUEST', message: 'Body is not a JSON object; send { "email", "password", "name" }.' });
    const decision = await limitPerAddress(req);
    if (!decision.allowed) return rateLimited(res, decision);
    const result = await signUpWithPassword(deps.prisma, { email: fields.email, password: fields.password, name: fields.name });
    if (result.kind === 'invalid') return sendJson(res, 400, { error: 'BAD_USER_INPUT', message: result.message });
    if (result.kind === 'taken') return sendJson(res, 409, { error: 'CONFLICT', message: result.message });
    const cookie = await startSession(req, result.user.id);
    await welcome(result.user);
    sendJson(res, 201, { user: result.user }, { 'Set-Cookie': cookie });
  }

  /**
   * A new account's address: without SMTP it counts as verified, so documents shared with it
   * before it existed are its at once; with SMTP they wait for the confirmation link.
   */
  async function welcome(user: { id: string; email: string; name: string | null }): Promise<void> {
    const mailer = mailerFor(config);
    if (!mailer) {
      await acceptInvitations(deps.prisma, user.id, user.email);
      return;
    }
    try {
      await sendVerificationEmail(deps.prisma, mailer, config.appOrigin, user);
    } catch (error) {
      // The account exists and works; only shares wait. The person can ask for a new link.
      deps.logger.warn({ err: error }, 'could not send the address confirmation email');
    }
  }

  /** `GET /api/auth/verify-email?email&token`: the confirmation link. */
  async function confirmEmail(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET') return sendJson(res, 405, { error: 'METHOD_NOT_ALLOWED', message: 'Open the link from the email (GET).' }, { Allow: 'GET' });
    const params = new URL(req.url ?? '/', config.appOrigin).searchParams;
    const email = normalizeEmail(params.get('email') ?? '');
    const token = params.get('token') ?? '';
    const valid = emailProblem(email) === null && /^[A-Za-z0-9_-]{43}$/.test(token);
    const result = valid ? await verifyEmail(deps.prisma, email, token) : { kind: 'invalid' as const };
    // A page of its own: the person arrives from their mailbox, maybe signed out, and must learn
    // whether it worked.
    if (result.kind === 'verified') {
      return sendPage(res, 200, 'Address confirmed', 'Your email address is confirmed: documents shared with it are now in your list.');
    }
    sendPage(res, 400, 'Link not valid', 'This confirmation link is unknown, already used or older than 24 hours. Sign in and ask for a new one (requestEmailVerification), or share the document again.');
  }

  /** Answers the way next-auth's credentials callback does: a redirect, or `{ url }` for fetch clients. */
  function redirect(req: IncomingMessage, res: ServerResponse, url: string, cookies: string[] = []): void {
    const headers: Record<string, string | string[]> = cookies.length > 0 ? { 'Set-Cookie': cookies } : {};
    if (req.headers['x-auth-return-redirect']) return sendJson(res, 200, { url }, headers);
    res.statusCode = 302;
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    res.setHeader('Location', url);
    res.setHeader('Cache-Control', 'no-store');
    res.end();
  }

  const errorUrl = (error: string) => `/signin?${new URLSearchParams(error === 'CredentialsSignin' ? { error, code: 'credentials' } : { error })}`;

  async function credentialsSignIn(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'METHOD_NOT_ALLOWED', message: 'Use POST.' }, { Allow: 'POST' });
    const fields = parseFields(await readBody(req), req.headers['content-type']) ?? {};
    // next-auth's double-submit check: the cookie holds `token|sha256(token + secret)`, which
    // only this server can mint, and the body must repeat the token, which a cross-site form
    // cannot read.
    if (!csrfTokenValid(parseCookies(req.headers.cookie).get(names.csrfToken), fields.csrfToken, config.authSecret)) {
      return redirect(req, res, errorUrl('MissingCSRF'));
    }
    const { email, password } = fields;
    if (typeof email !== 'string' || typeof password !== 'string' || emailProblem(normalizeEmail(email)) !== null || password.length > MAX_PASSWORD_LENGTH * 4 || hasControlCharacters(password)) {
      return redirect(req, res, errorUrl('CredentialsSignin'));
    }
    // Per account AND address: guesses from one place cannot lock the account for its owner,
    // who signs in from another address (issue 21 item 8). Guessing from many addresses is
    // bounded by each address's own limit and by scrypt's cost per attempt.
    const address = limitedAddress(req);
    const decision = await limitPerAddress(req, [{ name: 'signin-account-address', subject: `${normalizeEmail(email)}\n${address}` }]);
    if (!decision.allowed) return rateLimited(res, decision);
    const user = await verifyCredentials(deps.prisma, email, password);
    if (!user) return redirect(req, res, errorUrl('CredentialsSignin'));
    await ensurePersonalOrganization(deps.prisma, user.id);
    const cookie = await startSession(req, user.id);
    // A path, not an absolute URL: the browser stays on the address it signed in at.
    redirect(req, res, sameOriginPath(fields.callbackUrl), [cookie]);
  }

  async function nextAuth(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'POST') return sendJson(res, 405, { error: 'METHOD_NOT_ALLOWED', message: 'Use GET or POST.' }, { Allow: 'GET, POST' });
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const body = method === 'POST' ? new Uint8Array(await readBody(req)) : undefined;
    const request = new NextRequest(new URL(req.url ?? '/', config.appOrigin), { method, headers, body });
    await sendWebResponse(res, await deps.handlers[method](request));
  }

  return async (req, res) => {
    const pathname = (req.url ?? '/').split('?')[0] ?? '/';
    try {
      if (pathname === `${AUTH_BASE_PATH}/signup`) return await signUp(req, res);
      if (pathname === `${AUTH_BASE_PATH}/callback/credentials`) return await credentialsSignIn(req, res);
      if (pathname === VERIFY_EMAIL_PATH) return await confirmEmail(req, res);
      return await nextAuth(req, res);
    } catch (error) {
      if (error instanceof BodyTooLargeError) return sendJson(res, 413, { error: 'PAYLOAD_TOO_LARGE', message: error.message });
      throw error;
    }
  };
}

/** Verifies next-auth's CSRF cookie against the token in the body. */
export function csrfTokenValid(cookieValue: string | undefined, bodyToken: unknown, secret: string): boolean {
  if (!cookieValue || typeof bodyToken !== 'string') return false;
  const [token, hash] = cookieValue.split('|');
  if (!token || !hash) return false;
  return createHash('sha256').update(`${token}${secret}`).digest('hex') === hash && token === bodyToken;
}

/** A minimal page for people arriving from a link in an email. */
function sendPage(res: ServerResponse, status: number, title: string, message: string): void {
  const escape = (text: string) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)} · Verso</title></head>` +
      `<body><main><h1>${escape(title)}</h1><p>${escape(message)}</p><p><a href="/">Open Verso</a></p></main></body></html>`,
  );
}
