/**
 * `POST /api/documents/import?filename=<name>[&title=<title>]`: the request body is the file
 * itself (`.docx`, `.md` or `.html`, at most IMPORT_MAX_BYTES); answers 201 with the new
 * document's `{ id, title }`. Authentication is the API's (session cookie or Bearer token, the
 * `create-document` permission); the document is created by running the API's own
 * `createDocument` mutation with the request's context, so validation, ownership and limits are
 * the same as over GraphQL. Errors carry stable codes in a GraphQL-shaped JSON body. The file is
 * parsed in a worker thread (lib/import/import-pool.ts), never on the event loop; a full pool
 * answers 503 SERVICE_UNAVAILABLE, a second file of the same person while one is parsing 429
 * RATE_LIMITED, both with Retry-After.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { execute, GraphQLError, parse } from 'graphql';
import type { GraphQLContext } from '../../graphql/context.ts';
import { authorizeAccount } from '../../graphql/authorize.ts';
import { sendError } from '../../graphql/http-transport.ts';
import { getSchema } from '../../graphql/schema.ts';
import { MAX_TITLE_LENGTH } from '../../graphql/types/document.ts';
import type { Config } from '../config.ts';
import { IMPORT_ACCEPT, IMPORT_MAX_BYTES, importFormatOf, tooLarge } from '../import/import-file.ts';
import { createImportPool, type ImportPool } from '../import/import-pool.ts';

export const IMPORT_PATH = '/api/documents/import';

const STATUS: Record<string, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  BAD_USER_INPUT: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_FILE_TYPE: 415,
  FILE_UNREADABLE: 422,
  RATE_LIMITED: 429,
  SERVICE_UNAVAILABLE: 503,
};

/** One pool of import threads per server (its configuration object). */
const pools = new WeakMap<Config, ImportPool>();
function poolFor(config: Config): ImportPool {
  let pool = pools.get(config);
  if (!pool) pools.set(config, (pool = createImportPool(config.imports)));
  return pool;
}

const CREATE = parse('mutation Import($title: String, $content: JSON) { createDocument(title: $title, content: $content) { id title } }');

/** Reads the body up to `limit` bytes; null when it is longer (the rest is not buffered). */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

const fail = (res: ServerResponse, code: string, message: string) => sendError(res, STATUS[code] ?? 400, code, message);

/** Serves one import request; `context` builds the same context as a GraphQL request. */
export async function handleImport(req: IncomingMessage, res: ServerResponse, context: () => Promise<GraphQLContext>): Promise<void> {
  if (req.method !== 'POST') {
    res.setHeader('Allow', 'POST');
    return sendError(res, 405, 'METHOD_NOT_ALLOWED', 'Import with POST; the request body is the file.');
  }
  const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
  const filename = query.get('filename');
  const format = importFormatOf(filename, req.headers['content-type'] ?? null);
  let ctx: GraphQLContext;
  let userId: string;
  try {
    ctx = await context();
    // Refuse before reading a byte of the body when the caller may not create documents.
    userId = authorizeAccount(ctx, 'create-document').userId;
  } catch (error) {
    if (error instanceof GraphQLError) return fail(res, String(error.extensions.code), error.message);
    throw error;
  }
  if (format === null) {
    return fail(res, 'UNSUPPORTED_FILE_TYPE', `Verso imports ${IMPORT_ACCEPT.replaceAll(',', ', ')} files; name the file with one of these endings (filename=…).`);
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > IMPORT_MAX_BYTES) {
    const refusal = tooLarge(declared);
    if (!refusal.ok) fail(res, refusal.code, refusal.message);
    res.once('finish', () => req.destroy());
    return;
  }
  const body = await readBody(req, IMPORT_MAX_BYTES);
  if (body === null) {
    const refusal = tooLarge(IMPORT_MAX_BYTES + 1);
    if (!refusal.ok) fail(res, refusal.code, refusal.message);
    res.once('finish', () => req.destroy());
    return;
  }
  if (body.length === 0) return fail(res, 'FILE_UNREADABLE', 'The file is empty. Choose a file with some text in it.');
  const imported = await poolFor(ctx.services.config).run(body, format, filename, userId);
  if (!imported.ok) {
    if ('retryAfterSeconds' in imported) res.setHeader('Retry-After', String(imported.retryAfterSeconds));
    return fail(res, imported.code, imported.message);
  }
  const title = (query.get('title') ?? imported.title ?? undefined)?.slice(0, MAX_TITLE_LENGTH);
  const result = await execute({ schema: getSchema(), document: CREATE, contextValue: ctx, variableValues: { title, content: { ops: imported.content.ops } } });
  const error = result.errors?.[0];
  if (error) {
    const code = String(error.extensions.code ?? '');
    if (STATUS[code] === undefined) throw error.originalError ?? error;
    return fail(res, code, error.message);
  }
  const created = (result.data as { createDocument: { id: string; title: string } }).createDocument;
  res.statusCode = 201;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Location', `/docs/${encodeURIComponent(created.id)}`);
  res.end(JSON.stringify({ id: created.id, title: created.title }));
}
