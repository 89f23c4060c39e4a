/**
 * `GET /api/documents/:id/export?format=html|markdown|text|docx|pdf[&version=N]`: the document (at head,
 * or at version N) as a file (lib/documents/export.ts). Same viewer resolution and the same access
 * check as the GraphQL API; refusals carry the API's codes in a GraphQL-shaped JSON body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GraphQLContext } from '../../graphql/context.ts';
import { sendError } from '../../graphql/http-transport.ts';
import { EXPORT_FORMATS, isExportFormat } from '../documents/export.ts';

/** Matches the export path; group 1 is the (URL-encoded) document id. */
export const EXPORT_PATH = /^\/api\/documents\/([^/]+)\/export$/;

const STATUS: Partial<Record<string, number>> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  BAD_USER_INPUT: 400,
  VERSION_AHEAD: 400,
  VERSION_TOO_OLD: 410,
};

/**
 * Serves one export request for `rawId` (the path segment, still URL-encoded); `context` builds
 * the same context as a GraphQL request.
 */
export async function handleExport(req: IncomingMessage, res: ServerResponse, rawId: string, context: () => Promise<GraphQLContext>): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return sendError(res, 405, 'METHOD_NOT_ALLOWED', 'Export with GET.');
  }
  const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
  const formatName = query.get('format') ?? '';
  if (!isExportFormat(formatName)) {
    return sendError(res, 400, 'BAD_USER_INPUT', `format must be one of ${EXPORT_FORMATS.join(', ')}; got "${formatName}".`);
  }
  let documentId: string;
  try {
    documentId = decodeURIComponent(rawId);
  } catch {
    return sendError(res, 400, 'BAD_USER_INPUT', 'The document id in the path is not valid URL encoding.');
  }
  const versionParam = query.get('version');
  if (versionParam !== null && !/^\d{1,15}$/.test(versionParam)) {
    return sendError(res, 400, 'BAD_USER_INPUT', `version must be a whole number ≥ 0; got "${versionParam}".`);
  }
  const ctx = await context();
  const file = await ctx.services.exports.export(ctx, documentId, formatName, versionParam === null ? null : Number(versionParam));
  if (file.kind === 'rejected') {
    const status = STATUS[file.code];
    if (status === undefined) throw new Error(`export refused with ${file.code}, which has no HTTP status: ${file.message}`);
    return sendError(res, status, file.code, file.message);
  }
  const { filename } = file;
  res.statusCode = 200;
  res.setHeader('Content-Type', file.contentType);
  res.setHeader('Content-Disposition', `attachment; filename="${filename.replace(/[^\x20-\x7e]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(filename)}`);
  res.setHeader('X-Verso-Version', String(file.version));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.end(req.method === 'HEAD' ? undefined : file.body);
}
