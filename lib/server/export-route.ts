/**
 * `GET /api/documents/:id/export?format=html|markdown|text|docx|pdf[&version=N]`: the document (at head,
 * or at version N) as a file. Same viewer resolution and the same `authorizeDocument(…, 'read')`
 * as the GraphQL API, so the same people can export what they can read; errors carry the API's
 * codes in a GraphQL-shaped JSON body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphQLError } from 'graphql';
import type { GraphQLContext } from '../../graphql/context.ts';
import { authorizeDocument } from '../../graphql/authorize.ts';
import { headState, stateAt } from '../../graphql/document-state.ts';
import { sendError } from '../../graphql/http-transport.ts';
import { toHtml } from '../export/html.ts';
import { toMarkdown } from '../export/markdown.ts';
import { toText } from '../export/text.ts';
import type { Delta } from '../ot/operation.ts';

/** Matches the export path; group 1 is the (URL-encoded) document id. */
export const EXPORT_PATH = /^\/api\/documents\/([^/]+)\/export$/;

const FORMATS = {
  html: { type: 'text/html; charset=utf-8', extension: 'html', render: (doc: Delta, title: string) => toHtml(doc, title) },
  markdown: { type: 'text/markdown; charset=utf-8', extension: 'md', render: (doc: Delta) => toMarkdown(doc) },
  text: { type: 'text/plain; charset=utf-8', extension: 'txt', render: (doc: Delta) => toText(doc) },
  docx: { type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', extension: 'docx', render: async (doc: Delta, title: string) => (await import('../export/docx.ts')).toDocx(doc, title) },
  pdf: { type: 'application/pdf', extension: 'pdf', render: async (doc: Delta, title: string) => (await import('../export/pdf.ts')).toPdf(doc, title) },
} as const satisfies Record<string, { type: string; extension: string; render: (doc: Delta, title: string) => string | Promise<Buffer> }>;

// DOCX and PDF load their libraries on first use: seconds of module loading kept off server start.

const STATUS: Record<string, number> = {
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
  const format = Object.hasOwn(FORMATS, formatName) ? FORMATS[formatName as keyof typeof FORMATS] : null;
  if (format === null) {
    return sendError(res, 400, 'BAD_USER_INPUT', `format must be one of ${Object.keys(FORMATS).join(', ')}; got "${formatName}".`);
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
  try {
    const ctx = await context();
    const { document } = await authorizeDocument(ctx, documentId, 'read');
    const state = versionParam === null ? await headState(ctx, document.id) : await stateAt(ctx, document.id, Number(versionParam));
    const body = await format.render(state.content, document.title);
    const filename = `${document.title.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_') || 'document'}${versionParam === null ? '' : ` (version ${state.version})`}.${format.extension}`;
    res.statusCode = 200;
    res.setHeader('Content-Type', format.type);
    res.setHeader('Content-Disposition', `attachment; filename="${filename.replace(/[^\x20-\x7e]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(filename)}`);
    res.setHeader('X-Verso-Version', String(state.version));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch (error) {
    const code = error instanceof GraphQLError ? String(error.extensions.code ?? '') : '';
    const status = STATUS[code];
    if (status === undefined) throw error;
    sendError(res, status, code, (error as GraphQLError).message);
  }
}
