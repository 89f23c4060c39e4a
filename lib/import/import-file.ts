/**
 * A file to a document Delta: `.docx` (mammoth), `.md` (markdown-it) or `.html`, all through the
 * one allow-list in ./html-to-delta.ts, then lib/ot's validateDocument (size limits, attribute
 * allow-list). Outcomes are values with the API's stable codes; only bugs throw.
 */
import { validateDocument } from '../ot/validate.ts';
import type { Delta } from '../ot/operation.ts';
import { htmlToDelta, htmlTitle } from './html-to-delta.ts';

/** Largest file accepted, in bytes (5 MiB: a long book as DOCX; far more text than one document may hold). */
export const IMPORT_MAX_BYTES = 5 * 1024 * 1024;

export type ImportFormat = 'docx' | 'markdown' | 'html';

export type ImportResult =
  | { readonly ok: true; readonly content: Delta; readonly title: string | null }
  | { readonly ok: false; readonly code: ImportErrorCode; readonly message: string };

export type ImportErrorCode = 'PAYLOAD_TOO_LARGE' | 'UNSUPPORTED_FILE_TYPE' | 'FILE_UNREADABLE';

const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const BY_EXTENSION: Record<string, ImportFormat> = { docx: 'docx', md: 'markdown', markdown: 'markdown', html: 'html', htm: 'html' };
const BY_TYPE: Record<string, ImportFormat> = { [DOCX_TYPE]: 'docx', 'text/markdown': 'markdown', 'text/x-markdown': 'markdown', 'text/html': 'html' };

/** What `accept` attributes and error messages list. */
export const IMPORT_ACCEPT = '.docx,.md,.markdown,.html,.htm';

/**
 * The format of a file from its name's extension, else its media type (parameters ignored);
 * null when neither is one of the supported kinds.
 */
export function importFormatOf(filename: string | null, mediaType: string | null): ImportFormat | null {
  const extension = filename?.toLowerCase().match(/\.([a-z]+)$/)?.[1];
  if (extension && Object.hasOwn(BY_EXTENSION, extension)) return BY_EXTENSION[extension]!;
  const type = mediaType?.split(';')[0]?.trim().toLowerCase();
  return type && Object.hasOwn(BY_TYPE, type) ? BY_TYPE[type]! : null;
}

/**
 * Mammoth's map from Word styles to HTML: Word's own names for quotes and code, plus underline and
 * strike (unmapped by default); the DOCX export (lib/export/docx.ts) writes these same styles.
 */
const DOCX_STYLE_MAP = [
  'u => u',
  'strike => s',
  "p[style-name='Quote'] => blockquote > p:fresh",
  "p[style-name='Intense Quote'] => blockquote > p:fresh",
  "p[style-name='Code Block'] => pre:separator('\\n')",
  "p[style-name='HTML Preformatted'] => pre:separator('\\n')",
  "r[style-name='Code Char'] => code",
  "r[style-name='HTML Code'] => code",
];

// The converters load on first use (seconds of module loading kept off server start).
let markdown: Promise<{ render(text: string): string }> | null = null;
const markdownIt = () => (markdown ??= import('markdown-it').then(({ default: MarkdownIt }) => new MarkdownIt({ html: true, linkify: false, typographer: false })));

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** File name without its extension, as a default title. */
export function titleFromFilename(filename: string | null): string | null {
  const base = filename?.replace(/^.*[\\/]/, '').replace(/\.[A-Za-z0-9]+$/, '').trim();
  return base ? base : null;
}

/** Converts a file's bytes to a document (title: the HTML <title> or the file name, when present). */
export async function importFile(bytes: Uint8Array, format: ImportFormat, filename: string | null): Promise<ImportResult> {
  if (bytes.byteLength > IMPORT_MAX_BYTES) return tooLarge(bytes.byteLength);
  let html: string;
  let title = titleFromFilename(filename);
  if (format === 'docx') {
    const { default: mammoth } = await import('mammoth');
    try {
      const converted = await mammoth.convertToHtml(
        { buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) },
        // Images are not kept (the editor has none): skip decoding them at all.
        { styleMap: DOCX_STYLE_MAP, ignoreEmptyParagraphs: false, convertImage: mammoth.images.imgElement(async () => ({ src: '' })) },
      );
      html = converted.value;
    } catch {
      return { ok: false, code: 'FILE_UNREADABLE', message: 'This .docx file could not be read: it is damaged or not a Word document. Open it in Word or LibreOffice, save it again as .docx, and retry.' };
    }
  } else {
    let text: string;
    try {
      text = UTF8.decode(bytes).replace(/^\uFEFF/, '');
    } catch {
      return { ok: false, code: 'FILE_UNREADABLE', message: `This ${format === 'html' ? 'HTML' : 'Markdown'} file is not UTF-8 text. Save it as UTF-8 and retry.` };
    }
    if (text.includes('\u0000')) return { ok: false, code: 'FILE_UNREADABLE', message: 'This file holds binary data, not text. Choose a .docx, .md or .html file.' };
    html = format === 'markdown' ? (await markdownIt()).render(text) : text;
    if (format === 'html') title = htmlTitle(text) ?? title;
  }
  const checked = validateDocument({ ops: htmlToDelta(html).ops });
  if (!checked.ok) {
    if (checked.code === 'PAYLOAD_TOO_LARGE') return { ok: false, code: 'PAYLOAD_TOO_LARGE', message: `The file holds more than one document may: ${checked.message} Split it into smaller files.` };
    return { ok: false, code: 'FILE_UNREADABLE', message: `The file's content could not be imported: ${checked.message}` };
  }
  return { ok: true, content: checked.value, title };
}

/** The refusal for a file over IMPORT_MAX_BYTES. */
export function tooLarge(bytes: number): ImportResult {
  const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return { ok: false, code: 'PAYLOAD_TOO_LARGE', message: `The file is ${mib(bytes)}; files up to ${mib(IMPORT_MAX_BYTES)} can be imported. Split it into smaller files.` };
}
