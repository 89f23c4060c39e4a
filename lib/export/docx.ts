/**
 * DOCX export with the `docx` library: Word's built-in heading styles, numbered and bulleted lists
 * (nesting from `indent`, each list restarting at 1), quotes in Word's "Quote" style, code blocks
 * in a "Code Block" style and inline code in "Code Char" (the names lib/import maps back), bold,
 * italic, underline, strike, sub/superscript and hyperlinks. Images are left out. Open
 * suggestions become Word tracked changes (`w:ins` / `w:del` with their author), so Word's
 * Review pane can accept or reject them (lib/ot SPEC, SG17).
 */
import {
  AlignmentType,
  DeletedTextRun,
  Document,
  ExternalHyperlink,
  HeadingLevel,
  InsertedTextRun,
  LevelFormat,
  Packer,
  Paragraph,
  TextRun,
  type ParagraphChild,
} from 'docx';
import type { Delta } from '../ot/operation.ts';
import { groupKind, toLines, type Line, type Piece } from './lines.ts';

const HEADINGS = [HeadingLevel.HEADING_1, HeadingLevel.HEADING_2, HeadingLevel.HEADING_3, HeadingLevel.HEADING_4, HeadingLevel.HEADING_5, HeadingLevel.HEADING_6];
const ALIGN = { center: AlignmentType.CENTER, right: AlignmentType.RIGHT, justify: AlignmentType.JUSTIFIED } as const;
const MONO = 'Courier New';

/** How tracked changes are labelled: Word shows the author's name and a date for each. */
export interface DocxOptions {
  /** The name shown for a suggester's user id (default: the id). */
  readonly authorName?: (userId: string) => string;
  /** The date given to every tracked change (default: now). */
  readonly date?: Date;
}

type Revision = { next: number; readonly options: DocxOptions; readonly date: string };

function run(piece: Piece & { text: string }, revision: Revision): ParagraphChild {
  const f = piece.format;
  const options = {
    text: piece.text,
    bold: f.bold,
    italics: f.italic,
    underline: f.underline ? {} : undefined,
    strike: f.strike,
    subScript: f.script === 'sub',
    superScript: f.script === 'super',
    style: f.code ? 'CodeChar' : f.link ? 'Hyperlink' : undefined,
  };
  const mark = f.suggestion;
  if (mark === undefined) return new TextRun(options);
  const change = { id: revision.next++, author: revision.options.authorName?.(mark.author) ?? mark.author, date: revision.date };
  return mark.kind === 'insert' ? new InsertedTextRun({ ...options, ...change }) : new DeletedTextRun({ ...options, ...change });
}

function children(line: Line, revision: Revision): ParagraphChild[] {
  const out: ParagraphChild[] = [];
  for (const piece of line.pieces) {
    if (!('text' in piece)) continue;
    const r = run(piece, revision);
    out.push(piece.format.link ? new ExternalHyperlink({ link: piece.format.link, children: [r] }) : r);
  }
  return out;
}

/** The document as .docx bytes. */
export async function toDocx(doc: Delta, title: string, options: DocxOptions = {}): Promise<Buffer> {
  const revision: Revision = { next: 1, options, date: (options.date ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z') };
  const paragraphs: Paragraph[] = [];
  let listInstance = 0;
  let previousKind: 'list' | 'code' | null = null;
  for (const line of toLines(doc)) {
    const b = line.block;
    const kind = groupKind(b);
    if (kind === 'list' && previousKind !== 'list') listInstance++;
    previousKind = kind;
    const alignment = b.align ? ALIGN[b.align] : undefined;
    if (b.codeBlock !== undefined) {
      const text = line.pieces.map((p) => ('text' in p ? p.text : '')).join('');
      paragraphs.push(new Paragraph({ style: 'CodeBlock', children: [new TextRun({ text })] }));
    } else if (b.list !== undefined) {
      const ordered = b.list === 'ordered';
      paragraphs.push(
        new Paragraph({
          alignment,
          numbering: { reference: ordered ? 'ordered' : 'bullet', level: Math.min(b.indent ?? 0, 8), instance: listInstance },
          children: children(line, revision),
        }),
      );
    } else {
      paragraphs.push(
        new Paragraph({
          alignment,
          heading: b.header ? HEADINGS[b.header - 1] : undefined,
          style: b.blockquote && !b.header ? 'Quote' : undefined,
          indent: b.indent ? { left: 720 * b.indent } : undefined,
          children: children(line, revision),
        }),
      );
    }
  }
  const levels = (ordered: boolean) =>
    Array.from({ length: 9 }, (_, level) => ({
      level,
      format: ordered ? LevelFormat.DECIMAL : LevelFormat.BULLET,
      text: ordered ? `%${level + 1}.` : ['•', '◦', '▪'][level % 3]!,
      alignment: AlignmentType.LEFT,
      style: { paragraph: { indent: { left: 720 * (level + 1), hanging: 360 } } },
    }));
  const document = new Document({
    title,
    creator: 'Verso',
    numbering: { config: [{ reference: 'ordered', levels: levels(true) }, { reference: 'bullet', levels: levels(false) }] },
    styles: {
      paragraphStyles: [
        { id: 'Quote', name: 'Quote', basedOn: 'Normal', next: 'Normal', quickFormat: true, run: { italics: true, color: '555555' }, paragraph: { indent: { left: 720 } } },
        { id: 'CodeBlock', name: 'Code Block', basedOn: 'Normal', next: 'Normal', quickFormat: true, run: { font: MONO, size: 20 }, paragraph: { spacing: { before: 0, after: 0 } } },
      ],
      characterStyles: [{ id: 'CodeChar', name: 'Code Char', basedOn: 'DefaultParagraphFont', quickFormat: true, run: { font: MONO } }],
    },
    sections: [{ children: paragraphs }],
  });
  return Packer.toBuffer(document);
}
