/** Small Node HTTP helpers for the auth routes: bodies, addresses, origins, Web Request/Response. */
import { isIP } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Largest body the auth routes read: they take a few short fields. */
export const AUTH_BODY_LIMIT = 64 * 1024;

/** The request body was larger than the limit. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

/** Reads the raw body, refusing more than `limit` bytes. */
export async function readBody(req: IncomingMessage, limit = AUTH_BODY_LIMIT): Promise<Buffer> {
  if (Number(req.headers['content-length'] ?? 0) > limit) throw new BodyTooLargeError(`Request body is larger than ${limit} bytes.`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLargeError(`Request body is larger than ${limit} bytes.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Parses a JSON or form-encoded body into string fields; null when it is neither. */
export function parseFields(body: Buffer, contentType: string | undefined): Record<string, unknown> | null {
  const type = contentType ?? '';
  const text = body.toString('utf8');
  if (type.includes('application/json')) {
    try {
      const value = JSON.parse(text) as unknown;
      return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  }
  if (type.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text));
  return null;
}

/**
 * The client's address for per-address limits. Behind one reverse proxy (TRUST_PROXY=1) that is
 * the last `X-Forwarded-For` entry, the one the proxy itself appended; earlier entries are
 * whatever the client claimed.
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req.headers['x-forwarded-for'];
    const last = (Array.isArray(forwarded) ? forwarded.join(',') : forwarded ?? '').split(',').map((s) => s.trim()).filter(Boolean).pop();
    if (last) return last;
  }
  return req.socket.remoteAddress ?? 'unknown';
}

/**
 * The key per-address limits count under: an IPv4 address as it is, an IPv6 address by its /64
 * (`2001:db8:1:2::/64`), since one subscriber usually holds a whole /64 and could otherwise take a
 * fresh address for every attempt. IPv4-mapped IPv6 (`::ffff:192.0.2.1`) counts as its IPv4.
 */
export function addressLimitKey(address: string): string {
  const plain = address.replace(/%.*$/, ''); // an IPv6 zone (fe80::1%eth0) names no other host
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(plain);
  if (mapped) return mapped[1]!;
  if (isIP(plain) !== 6) return address;
  const groups = expandIPv6(plain);
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (`::` and a trailing dotted IPv4 expanded). */
function expandIPv6(address: string): number[] {
  const [head = '', tail] = address.split('::') as [string, string | undefined];
  const parse = (part: string): number[] =>
    part === ''
      ? []
      : part.split(':').flatMap((g) => {
          if (!g.includes('.')) return [parseInt(g, 16)];
          const [a = 0, b = 0, c = 0, d = 0] = g.split('.').map(Number);
          return [(a << 8) | b, (c << 8) | d];
        });
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/** The settings that decide which origins may send requests with the session cookie (lib/config.ts). */
export interface OriginSettings {
  readonly appOrigin: string;
  /** APP_ORIGIN and ALLOWED_ORIGINS. */
  readonly allowedOrigins: readonly string[];
  /** Also accept the request's own origin (its Host): development and zero-config. */
  readonly originFromHost: boolean;
  readonly trustProxy: boolean;
}

/**
 * The origin the request was sent to: `http(s)://<Host>`. The scheme is https on a TLS socket
 * or, behind a trusted proxy, when X-Forwarded-Proto says so. Null without a Host header.
 */
export function requestOrigin(req: IncomingMessage, trustProxy: boolean): string | null {
  const host = req.headers.host;
  if (!host) return null;
  const forwarded = trustProxy ? String(req.headers['x-forwarded-proto'] ?? '').split(',')[0]?.trim() : '';
  const tls = (req.socket as { encrypted?: boolean }).encrypted === true;
  const scheme = forwarded === 'https' || forwarded === 'http' ? forwarded : tls ? 'https' : 'http';
  try {
    return new URL(`${scheme}://${host}`).origin;
  } catch {
    return null;
  }
}

/**
 * False when the request names an Origin outside the allowed ones (a cross-site browser request).
 * With `originFromHost`, the request's own origin is allowed too: a cross-site page cannot send
 * its Origin to our Host with our cookies (a DNS-rebound name carries that name's cookies, not ours).
 */
export function originAllowed(req: IncomingMessage, settings: OriginSettings): boolean {
  const origin = req.headers.origin;
  if (origin === undefined || settings.allowedOrigins.includes(origin)) return true;
  return settings.originFromHost && origin === requestOrigin(req, settings.trustProxy);
}

/** Why a request from a page at another origin was refused, naming the settings that would allow it. */
export function originRefusedMessage(req: IncomingMessage, settings: OriginSettings): string {
  const origin = req.headers.origin ?? 'another address';
  const extra = settings.allowedOrigins.length > 1 ? ` or ALLOWED_ORIGINS (${settings.allowedOrigins.slice(1).join(', ')})` : '';
  return (
    `This page is at ${origin}, but this Verso server only accepts signed-in requests from APP_ORIGIN (${settings.appOrigin})${extra}. ` +
    `Open Verso at ${settings.appOrigin}, or have whoever runs the server set APP_ORIGIN=${origin} (or add it to ALLOWED_ORIGINS) and restart it. ` +
    'Integrations use an API token instead of the cookie.'
  );
}

/** Writes a JSON response that no cache keeps. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(JSON.stringify(body));
}

/** Copies a Web Response (next-auth's) onto a Node response, keeping every Set-Cookie. */
export async function sendWebResponse(res: ServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status;
  for (const [name, value] of response.headers) {
    if (name.toLowerCase() !== 'set-cookie') res.setHeader(name, value);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader('Set-Cookie', cookies);
  // next-auth marks only some responses uncacheable; every API response must be.
  res.setHeader('Cache-Control', 'no-store');
  res.end(Buffer.from(await response.arrayBuffer()));
}
