/**
 * Random valid ops for fuzzing, simulations and benchmarks. Pure: randomness comes in as a
 * function, so a seeded generator makes every run reproducible.
 *
 * `buildOp` turns a plan of edits whose positions are fractions into an op that fits a given
 * document (./SPEC.md OT5, OT6): edits go left to right, never split a surrogate pair, never delete
 * the final newline nor insert after it. fast-check arbitraries build plans; `randomOp` draws one.
 */
import Delta, { type AttributeMap } from 'quill-delta';
import { documentText } from './applicable.ts';

/** Inserted content: text or an image embed. */
export type InsertContent = string | { readonly image: string };

/**
 * One edit of a plan. `at` in [0, 1) picks where it starts among the positions left after the
 * previous edit; `span` in [0, 1) picks how much of the rest it covers.
 */
export type Edit =
  | { readonly kind: 'insert'; readonly at: number; readonly content: InsertContent; readonly attributes?: AttributeMap }
  | { readonly kind: 'delete'; readonly at: number; readonly span: number }
  | { readonly kind: 'format'; readonly at: number; readonly span: number; readonly attributes: AttributeMap };

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

export { documentText } from './applicable.ts';

function boundaryAtOrAfter(text: string, p: number): number {
  return p > 0 && p < text.length && isHigh(text.charCodeAt(p - 1)) && isLow(text.charCodeAt(p)) ? p + 1 : p;
}

const pick = (fraction: number, count: number) => Math.min(count - 1, Math.floor(fraction * count));

/** An op that fits `doc` (a valid document) and performs `edits` in order, left to right. */
export function buildOp(doc: Delta, edits: readonly Edit[]): Delta {
  const text = documentText(doc);
  const last = text.length - 1; // position of the final newline
  const op = new Delta();
  let pos = 0;
  for (const edit of edits) {
    // Only a format reaches past the final newline; nothing can follow it.
    if (pos > last) break;
    const at = boundaryAtOrAfter(text, pos + pick(edit.at, last - pos + 1));
    if (at > pos) op.retain(at - pos);
    pos = at;
    if (edit.kind === 'insert') {
      op.insert(typeof edit.content === 'string' ? edit.content : { image: edit.content.image }, edit.attributes);
      continue;
    }
    // A delete stops before the final newline; a format may cover it (block formats live there).
    const end = edit.kind === 'delete' ? last : text.length;
    if (end - at < 1) continue;
    const to = boundaryAtOrAfter(text, at + 1 + pick(edit.span, end - at));
    if (edit.kind === 'delete') op.delete(to - at);
    else op.retain(to - at, edit.attributes);
    pos = to;
  }
  return op.chop();
}

/** Text pieces covering ASCII, newlines, combining marks, CJK and surrogate pairs (emoji, math). */
export const TEXT_SAMPLES: readonly string[] = Object.freeze([
  'a', 'b', 'z', 'hello', ' ', 'word ', '\n', '\n\n', 'x\ny', 'é', 'e\u0301', '中文', '😀', '👍🏽', '𝒳', 'tab\t', 'ß',
]);

/** Inline formats with valid values, for inserts and retains. */
export const INLINE_FORMATS: readonly AttributeMap[] = Object.freeze([
  { bold: true }, { italic: true }, { underline: true }, { strike: true }, { code: true },
  { link: 'https://example.com/page' }, { link: 'mailto:someone@example.com' }, { color: '#e60000' },
  { background: '#fff' }, { script: 'sub' }, { bold: true, italic: true },
]);

/** Block formats with valid values; Quill puts them on newlines. */
export const BLOCK_FORMATS: readonly AttributeMap[] = Object.freeze([
  { header: 1 }, { header: 3 }, { list: 'ordered' }, { list: 'bullet' }, { list: 'checked' }, { blockquote: true },
  { 'code-block': true }, { 'code-block': 'javascript' }, { align: 'center' }, { indent: 2 },
]);

/** Format removals, valid on retains only. */
export const REMOVE_FORMATS: readonly AttributeMap[] = Object.freeze([
  { bold: null }, { italic: null }, { link: null }, { header: null }, { list: null }, { bold: null, color: null },
]);

/** An image embed with a valid URL. */
export const IMAGE_SAMPLE: InsertContent = Object.freeze({ image: 'https://example.com/cat.png' });

/** Options for `randomOp`. */
export interface RandomOpOptions {
  /** Above this length deletes become likelier than inserts, keeping documents small. Default 200. */
  readonly softMaxLength?: number;
  /** Most edits in one op. Default 3. */
  readonly maxEdits?: number;
}

function choose<T>(items: readonly T[], random: () => number): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new RangeError('choose: empty list');
  return item;
}

function randomEdit(random: () => number, deleteBias: number): Edit {
  const roll = random();
  const at = random();
  if (roll < deleteBias) return { kind: 'delete', at, span: random() ** 3 };
  if (roll < deleteBias + 0.15) {
    const attributes = choose(random() < 0.3 ? REMOVE_FORMATS : random() < 0.7 ? INLINE_FORMATS : BLOCK_FORMATS, random);
    return { kind: 'format', at, span: random() * random(), attributes };
  }
  if (random() < 0.05) return { kind: 'insert', at, content: IMAGE_SAMPLE, ...(random() < 0.3 ? { attributes: { link: 'https://example.com' } } : {}) };
  let content = choose(TEXT_SAMPLES, random);
  while (random() < 0.3) content += choose(TEXT_SAMPLES, random);
  const formats = content === '\n' ? BLOCK_FORMATS : INLINE_FORMATS;
  return random() < 0.3 ? { kind: 'insert', at, content, attributes: choose(formats, random) } : { kind: 'insert', at, content };
}

/** A random op that fits `doc`, drawn with `random` (uniform in [0, 1)). */
export function randomOp(doc: Delta, random: () => number, options: RandomOpOptions = {}): Delta {
  const softMax = options.softMaxLength ?? 200;
  const maxEdits = options.maxEdits ?? 3;
  const deleteBias = doc.length() > softMax ? 0.6 : 0.25;
  const count = 1 + Math.floor(random() * random() * maxEdits);
  const edits = Array.from({ length: count }, () => randomEdit(random, deleteBias));
  return buildOp(doc, edits);
}

/** A small seeded PRNG (mulberry32): the same seed gives the same sequence on every platform. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
