/**
 * Security headers on every response the custom server writes: pages, static files, the API and
 * refused WebSocket upgrades. Pages get a Content-Security-Policy with a fresh nonce per request;
 * Next reads that nonce from the request's own `Content-Security-Policy` header while rendering
 * and puts it on every script it emits (its runtime, the page's chunks, its inline bootstrap).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';

/** Set on every response: no MIME sniffing, never framed, no full URLs leaked to other sites. */
export const BASE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
};

/** The policy of everything that is not a page (JSON, metrics, assets): load nothing, never framed. */
export const NON_PAGE_CSP = "default-src 'none'; frame-ancestors 'none'";

/**
 * The policy of a page. Scripts run only with this response's nonce (`'strict-dynamic'` lets
 * Next's nonce'd loader fetch the page's chunks); development adds `'unsafe-eval'`, which React
 * needs there for its debugging aids. Styles: the app's own stylesheets and nonce'd style
 * elements (in development any style element: hot reload injects them); style attributes are allowed (Quill and the cursor overlay position things with
 * them; an attribute cannot run code). Connections go to this origin only, WebSocket included.
 */
export function pageCsp(nonce: string, dev: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    // Development: Turbopack injects the CSS as style elements without the nonce (hot reload).
    dev ? "style-src 'self' 'unsafe-inline'" : `style-src 'self' 'nonce-${nonce}'`,
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Sets the headers every response carries, with the non-page policy (a page replaces it). */
export function setSecurityHeaders(res: ServerResponse): void {
  for (const [name, value] of Object.entries(BASE_SECURITY_HEADERS)) res.setHeader(name, value);
  res.setHeader('Content-Security-Policy', NON_PAGE_CSP);
}

/**
 * Gives a request Next is about to render its page policy: on the response, and on the request
 * (where Next looks for the nonce). Any policy the client sent is overwritten.
 */
export function applyPageCsp(req: IncomingMessage, res: ServerResponse, dev: boolean): void {
  const csp = pageCsp(randomBytes(16).toString('base64'), dev);
  req.headers['content-security-policy'] = csp;
  delete req.headers['content-security-policy-report-only'];
  res.setHeader('Content-Security-Policy', csp);
}

/** A complete raw HTTP response for a refused WebSocket upgrade (no Node response object exists there). */
export function rawUpgradeRefusal(status: 403 | 404, body = ''): string {
  const reason = status === 403 ? 'Forbidden' : 'Not Found';
  const headers = [
    `HTTP/1.1 ${status} ${reason}`,
    'Connection: close',
    ...Object.entries(BASE_SECURITY_HEADERS).map(([name, value]) => `${name}: ${value}`),
    `Content-Security-Policy: ${NON_PAGE_CSP}`,
    'Cache-Control: no-store',
    ...(body ? ['Content-Type: text/plain; charset=utf-8'] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
  ];
  return `${headers.join('\r\n')}\r\n\r\n${body}`;
}
