/**
 * GraphQL over HTTP: a thin adapter from Node's request/response to Apollo Server.
 * It lives in the custom server (not a Next route) so both transports share one schema instance,
 * one Prisma pool and one set of Redis connections per process.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import type { GraphQLContext } from './context.ts';
import { preflight } from './validation.ts';

/** Largest GraphQL request body accepted, in bytes. */
export const MAX_BODY_BYTES = 1024 * 1024;

export class PayloadTooLargeError extends Error {
  override readonly name = 'PayloadTooLargeError';
}

/** Handles one HTTP request to /api/graphql. */
export async function handleGraphQLHttp(
  apollo: ApolloServer<GraphQLContext>,
  req: IncomingMessage,
  res: ServerResponse,
  context: () => Promise<GraphQLContext>,
): Promise<void> {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  let body: unknown;
  try {
    body = await readJsonBody(req);
  } catch (error) {
    const tooLarge = error instanceof PayloadTooLargeError;
    sendError(res, tooLarge ? 413 : 400, tooLarge ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST', (error as Error).message);
    return;
  }
  const url = new URL(req.url ?? '/', 'http://localhost');
  // Size bounds before Apollo parses and validates (graphql/validation.ts): its standard rules
  // would spend seconds on a request of a thousand repeated fields before Verso's rules ran.
  const refused = queriesOf(body, url).map(preflight).find((checked) => !checked.ok);
  if (refused && !refused.ok) {
    sendErrors(res, 400, refused.errors.map((e) => e.toJSON()));
    return;
  }
  const response = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
    context,
  });
  for (const [key, value] of response.headers) res.setHeader(key, value);
  res.setHeader('Cache-Control', 'no-store');
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

/** The query texts a request carries (a batch carries several; Apollo answers batches itself). */
function queriesOf(body: unknown, url: URL): string[] {
  const fromBody = (item: unknown) => (item && typeof item === 'object' && typeof (item as { query?: unknown }).query === 'string' ? [(item as { query: string }).query] : []);
  const query = url.searchParams.get('query');
  return [...(Array.isArray(body) ? body.flatMap(fromBody) : fromBody(body)), ...(query !== null ? [query] : [])];
}

/** Reads a JSON body (or none for GET), refusing more than MAX_BODY_BYTES. */
async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  if (req.method === 'GET' || req.method === 'HEAD') return undefined;
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) throw new PayloadTooLargeError(`Request body is larger than ${MAX_BODY_BYTES} bytes; split the request.`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new PayloadTooLargeError(`Request body is larger than ${MAX_BODY_BYTES} bytes; split the request.`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const type = req.headers['content-type'] ?? '';
  // Apollo's CSRF prevention refuses requests without a JSON content type; pass the raw text
  // through so it answers with its own clear message.
  if (!type.includes('json')) return text;
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error('Request body is not valid JSON.');
  }
}

/** Writes a GraphQL-shaped error response for failures before Apollo runs. */
export function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  sendErrors(res, status, [{ message, extensions: { code } }]);
}

function sendErrors(res: ServerResponse, status: number, errors: readonly GraphQLFormattedError[]): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(JSON.stringify({ errors }));
}
