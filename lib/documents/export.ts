/**
 * A document (at head, or at a version) as a file: HTML, Markdown, plain text, DOCX or PDF. Same
 * access as reading it through the API (`read`), so the same people can export what they can read.
 */
import { toHtml } from '../export/html.ts';
import { toMarkdown } from '../export/markdown.ts';
import { toText } from '../export/text.ts';
import type { Delta } from '../ot/operation.ts';
import type { DocumentAccess } from './access.ts';
import type { DocumentReads } from './reads.ts';
import type { Rejected, RequestScope } from './types.ts';

// DOCX and PDF load their libraries on first use: seconds of module loading kept off server start.
const FORMATS = {
  html: { type: 'text/html; charset=utf-8', extension: 'html', render: (doc: Delta, title: string) => toHtml(doc, title) },
  markdown: { type: 'text/markdown; charset=utf-8', extension: 'md', render: (doc: Delta) => toMarkdown(doc) },
  text: { type: 'text/plain; charset=utf-8', extension: 'txt', render: (doc: Delta) => toText(doc) },
  docx: { type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', extension: 'docx', render: async (doc: Delta, title: string) => (await import('../export/docx.ts')).toDocx(doc, title) },
  pdf: { type: 'application/pdf', extension: 'pdf', render: async (doc: Delta, title: string) => (await import('../export/pdf.ts')).toPdf(doc, title) },
} as const satisfies Record<string, { type: string; extension: string; render: (doc: Delta, title: string) => string | Promise<Buffer> }>;

export type ExportFormat = keyof typeof FORMATS;
export const EXPORT_FORMATS = Object.keys(FORMATS) as ExportFormat[];
export const isExportFormat = (name: string): name is ExportFormat => Object.hasOwn(FORMATS, name);

export interface ExportedFile {
  readonly kind: 'file';
  readonly body: string | Buffer;
  readonly contentType: string;
  /** The title made safe as a file name, with the version when one was asked for, and the extension. */
  readonly filename: string;
  readonly version: number;
}

export interface DocumentExports {
  /** The document at head (`version` null) or after `version` ops, rendered as `format`. */
  export(scope: RequestScope, documentId: string, format: ExportFormat, version: number | null): Promise<ExportedFile | Rejected>;
}

export function createDocumentExports(deps: { access: DocumentAccess; reads: DocumentReads }): DocumentExports {
  return {
    async export(scope, documentId, formatName, version) {
      const allowed = await deps.access.check(scope.viewer, documentId, 'read');
      if (allowed.kind === 'rejected') return allowed;
      const { document } = allowed;
      const found = version === null ? await deps.reads.head(scope, document.id) : await deps.reads.at(document.id, version);
      if (found.kind === 'rejected') return found;
      const { state } = found;
      const format = FORMATS[formatName];
      const body = await format.render(state.content, document.title);
      const filename = `${document.title.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_') || 'document'}${version === null ? '' : ` (version ${state.version})`}.${format.extension}`;
      return { kind: 'file', body, contentType: format.type, filename, version: state.version };
    },
  };
}
