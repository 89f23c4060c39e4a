/**
 * PDF export with PDFKit (pure JavaScript, no browser): A4 pages, headings, paragraphs, bulleted
 * and numbered lists (nested by indent), quotes (indented, grey), code blocks in Courier, bold,
 * italic, underline, strike, inline code and clickable links. PDFKit's built-in fonts cover
 * Latin-1 (Windows-1252); other characters print as "?" in this version (stated in README).
 * Open suggestions: proposed insertions underlined in green, deletions struck through in red.
 */
import PDFDocument from 'pdfkit';
import type { Delta } from '../ot/operation.ts';
import { renderBlocks, type Line, type Piece } from './lines.ts';

const SUGGESTED_INSERT = '#1e7f3c';
const SUGGESTED_DELETE = '#b3261e';
const HEADING_SIZES = [24, 20, 16, 14, 12, 11];
const BODY = 11;
const INDENT = 18;
/** Blocks laid out between two turns of the event loop (≈10–20 ms of work). */
const SLICE = 200;

// WinAnsi (Windows-1252) as the built-in fonts encode it: Latin-1 plus these.
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');
const printable = (text: string): string => text.replace(/[^\u0020-\u007e\u00a0-\u00ff]/gu, (c) => (WIN_ANSI_EXTRA.has(c) ? c : c === '\t' ? '    ' : '?'));

function font(piece: Piece, heading: boolean): string {
  const f = piece.format;
  if (f.code) return 'Courier';
  const bold = f.bold || heading;
  if (bold && f.italic) return 'Helvetica-BoldOblique';
  if (bold) return 'Helvetica-Bold';
  if (f.italic) return 'Helvetica-Oblique';
  return 'Helvetica';
}

type Pdf = InstanceType<typeof PDFDocument>;

/** Writes one line's pieces as one paragraph starting at `x`, `prefix` (a list marker) first. */
function paragraph(pdf: Pdf, line: Line, options: { x: number; size: number; heading?: boolean; color?: string; prefix?: string }): void {
  const pieces = line.pieces.filter((p): p is Piece & { text: string } => 'text' in p);
  const width = pdf.page.width - pdf.page.margins.right - options.x;
  pdf.fillColor(options.color ?? 'black').fontSize(options.size);
  const runs = [...(options.prefix ? [{ text: options.prefix, format: {} }] : []), ...pieces];
  if (runs.length === 0) {
    pdf.font('Helvetica').text(' ', options.x, undefined, { width });
    return;
  }
  runs.forEach((piece, i) => {
    const f = piece.format as Piece['format'];
    // Open suggestions [SG17]: proposed insertions underlined in green, deletions struck through in red.
    const proposed = f.suggestion?.kind;
    const color = proposed === 'insert' ? SUGGESTED_INSERT : proposed === 'delete' ? SUGGESTED_DELETE : f.link ? '#1a55c4' : (options.color ?? 'black');
    pdf.font(font(piece as Piece, options.heading === true)).fillColor(color);
    const textOptions = {
      width,
      continued: i < runs.length - 1,
      underline: f.underline === true || f.link !== undefined || proposed === 'insert',
      strike: f.strike === true || proposed === 'delete',
      link: f.link ?? null,
    };
    // PDFKit drops the options when x is passed as undefined: continuations use the short form.
    if (i === 0) pdf.text(printable(piece.text), options.x, undefined, textOptions);
    else pdf.text(printable(piece.text), textOptions);
  });
}

/** The document as PDF bytes (A4). `compress: false` keeps the page streams readable (tests). */
export async function toPdf(doc: Delta, title: string, options: { compress?: boolean } = {}): Promise<Buffer> {
  const pdf = new PDFDocument({ size: 'A4', margin: 56, compress: options.compress ?? true, info: { Title: title, Creator: 'Verso' } });
  const chunks: Buffer[] = [];
  pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });
  const left = pdf.page.margins.left;
  const gap = () => pdf.moveDown(0.4);
  // Blocks are laid out in slices with a turn of the event loop between them, so a long document
  // does not stall the server's other requests for the whole rendering.
  const blocks: Array<() => void> = [];
  renderBlocks(doc, {
    list: (lines) => (blocks.push(() => listBlock(lines)), ''),
    code: (lines) => (blocks.push(() => codeBlock(lines)), ''),
    line: (line) => (blocks.push(() => lineBlock(line)), ''),
  });

  function listBlock(lines: readonly Line[]): void {
    const counters: number[] = [];
    for (const line of lines) {
      const depth = line.block.indent ?? 0;
      counters.length = depth + 1;
      counters[depth] = (counters[depth] ?? 0) + 1;
      const marker = line.block.list === 'ordered' ? `${counters[depth]}. ` : line.block.list === 'checked' ? '[x] ' : line.block.list === 'unchecked' ? '[ ] ' : '• ';
      paragraph(pdf, line, { x: left + INDENT * (depth + 1), size: BODY, prefix: marker });
    }
    gap();
  }

  function codeBlock(lines: readonly Line[]): void {
    for (const line of lines) {
      const text = line.pieces.map((p) => ('text' in p ? p.text : '')).join('');
      pdf.font('Courier').fontSize(BODY - 1).fillColor('#333333').text(printable(text) || ' ', left + INDENT, undefined, { lineBreak: true });
    }
    gap();
  }

  function lineBlock(line: Line): void {
    const b = line.block;
    if (b.header) paragraph(pdf, line, { x: left, size: HEADING_SIZES[b.header - 1] ?? BODY, heading: true });
    else if (b.blockquote) paragraph(pdf, line, { x: left + INDENT, size: BODY, color: '#555555' });
    else paragraph(pdf, line, { x: left + INDENT * (b.indent ?? 0), size: BODY });
    gap();
  }

  for (let i = 0; i < blocks.length; i++) {
    blocks[i]!();
    if (i % SLICE === SLICE - 1) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  pdf.end();
  return done;
}
