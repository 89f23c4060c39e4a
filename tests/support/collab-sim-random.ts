/**
 * Seeded randomness for the collab simulation: a small PRNG and a generator of valid rich-text
 * ops against a given document (inserts with attributes, deletes, formatting), never touching
 * the final newline so every op applies.
 */
import { Delta } from '../../lib/ot/operation.ts';

/** A deterministic PRNG (mulberry32): the same seed gives the same sequence on every platform. */
export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
}

export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[int(items.length)] as T;
    },
  };
}

type Attributes = Record<string, unknown>;

const TEXT = ['a', 'b', 'c', 'x', ' ', 'é', '\n', 'hello', 'ab\ncd', '😀'];
const INSERT_ATTRIBUTES: readonly (Attributes | undefined)[] = [
  undefined,
  undefined,
  undefined,
  { bold: true },
  { italic: true },
  { bold: true, italic: true },
  { link: 'https://example.com/a' },
  { underline: true, strike: true },
];
const FORMAT_ATTRIBUTES: readonly Attributes[] = [
  { bold: true },
  { bold: null },
  { italic: true },
  { italic: null, underline: true },
  { link: 'https://example.com/b' },
  { link: null },
  { header: 1 },
  { header: null, list: 'bullet' },
];

/**
 * A random op that applies to `doc` (a document Delta ending with "\n"): it never touches the
 * final newline and never puts a component boundary inside a surrogate pair.
 */
export function randomOp(rng: Rng, doc: Delta): Delta {
  const text = documentText(doc);
  const length = text.length; // includes the final newline, which ops never remove
  // Moves a position off the middle of a surrogate pair.
  const snap = (p: number): number => (p > 0 && isHigh(text.charCodeAt(p - 1)) && isLow(text.charCodeAt(p)) ? p - 1 : p);
  const range = (max: number, end: number): [number, number] => {
    const at = snap(rng.int(end));
    const to = snap(Math.min(end, at + 1 + rng.int(max)));
    return to > at ? [at, to - at] : [at, Math.min(2, end - at)];
  };
  const roll = rng.next();
  if (roll < 0.5 || length <= 1) {
    return new Delta().retain(snap(rng.int(length))).insert(rng.pick(TEXT), rng.pick(INSERT_ATTRIBUTES));
  }
  if (roll < 0.75) {
    const [at, count] = range(4, length - 1);
    return new Delta().retain(at).delete(count);
  }
  if (roll < 0.95) {
    const [at, count] = range(6, length);
    return new Delta().retain(at).retain(count, rng.pick(FORMAT_ATTRIBUTES));
  }
  // Replace: delete a range and insert in its place, one op with two components.
  const [at, count] = range(3, length - 1);
  return new Delta().retain(at).delete(count).insert(rng.pick(TEXT), rng.pick(INSERT_ATTRIBUTES));
}

const isHigh = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;

/** The document's text, one placeholder character per embed. */
function documentText(doc: Delta): string {
  return doc.ops.map((c) => (typeof c.insert === 'string' ? c.insert : '\uFFFC')).join('');
}

/** A random initial document. */
export function randomDocument(rng: Rng): Delta {
  const doc = new Delta();
  const parts = rng.int(4);
  for (let i = 0; i < parts; i++) doc.insert(rng.pick(TEXT), rng.pick(INSERT_ATTRIBUTES));
  return doc.insert('\n');
}

/** JSON with sorted object keys, so equal Deltas print equal whatever their attribute order. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
