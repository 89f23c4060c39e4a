/**
 * Authorship ("blame"): who inserted each character of a document, and in which version
 * (rules H8–H12 in ./SPEC.md). Pure.
 *
 * Representation: a list of runs `{ length, authorId, version }` whose lengths add up to the
 * document length, adjacent runs always differing. The text itself is not kept: it is the
 * content at the same version, so a stored blame snapshot costs a few numbers per run instead
 * of a second copy of the document.
 *
 * Moving blame forward: each op becomes an "authorship op", the same Delta with every insert
 * tagged `{ author, version }` and the formats stripped from retains (formatting does not change
 * authorship [H10]). Authorship ops of consecutive versions compose like any Deltas (cheap: they
 * are small), and the composed one is applied to the runs in one pass: retains keep runs,
 * deletes drop them [H11], inserts add runs tagged with their op [H9]. So blame at v from a blame
 * snapshot at s costs O(runs + size of ops s+1…v), not (v − s) passes over the runs.
 */
import { Delta } from '../ot/operation.ts';

/** `length` consecutive characters (an embed counts 1) inserted by `authorId` in op `version`. */
export interface BlameRun {
  readonly length: number;
  /** Null for system ops, deleted accounts, and content a document was created with without a creator. */
  readonly authorId: string | null;
  /** The version whose op inserted these characters; 0 for the content the document was created with. */
  readonly version: number;
}

/** Blame of the document at `version`. */
export interface Blame {
  readonly version: number;
  readonly runs: readonly BlameRun[];
}

/** What moving blame forward needs to know about an op. */
export interface BlamedOp {
  readonly version: number;
  readonly delta: Delta;
  readonly authorId: string | null;
}

/** A run with its text, as the API shows it: `start` is the offset in the document. */
export interface BlameSpan extends BlameRun {
  readonly start: number;
  /** The characters of the run; an embed stands for U+FFFC. */
  readonly text: string;
}

const AUTHOR = 'author';
const VERSION = 'version';

/** Blame of a document's initial content (version 0): all of it by `authorId` [H8]. */
export function initialBlame(content: Delta, authorId: string | null): Blame {
  const length = content.length();
  return { version: 0, runs: length === 0 ? [] : [{ length, authorId, version: 0 }] };
}

/**
 * The authorship op of `op`: inserts tagged with who and which version, retains without formats,
 * deletes unchanged. Lengths are the op's own, so it applies wherever the op does.
 */
export function authorshipOp(op: BlamedOp): Delta {
  const tag = op.authorId === null ? { [VERSION]: op.version } : { [AUTHOR]: op.authorId, [VERSION]: op.version };
  const out = new Delta();
  for (const c of op.delta.ops) {
    if (c.insert !== undefined) out.insert(c.insert, tag);
    else if (typeof c.delete === 'number') out.delete(c.delete);
    else if (typeof c.retain === 'number') out.retain(c.retain);
    else if (c.retain !== undefined) out.retain(1); // an embed's own format change: still one character
  }
  return out;
}

/**
 * Blame after `ops`, which must be the versions `blame.version + 1, + 2, …` in order [H12].
 * @throws on a version gap (the caller read the wrong ops: a bug).
 */
export function blameAfter(blame: Blame, ops: readonly BlamedOp[]): Blame {
  if (ops.length === 0) return blame;
  let change = new Delta();
  let version = blame.version;
  for (const op of ops) {
    if (op.version !== version + 1) throw new Error(`blameAfter: expected version ${version + 1}, got ${op.version}`);
    change = change.compose(authorshipOp(op));
    version = op.version;
  }
  return { version, runs: applyAuthorship(blame.runs, change) };
}

/**
 * Applies a composed authorship op to runs in one pass. The op must fit (it reaches no further
 * than the runs' total length); stored ops always do, so a misfit is a bug and throws.
 */
export function applyAuthorship(runs: readonly BlameRun[], change: Delta): BlameRun[] {
  const out: BlameRun[] = [];
  let index = 0;
  // Remaining length of runs[index] not yet consumed.
  let left = runs[0]?.length ?? 0;
  const take = (n: number, keep: boolean): void => {
    while (n > 0) {
      const run = runs[index];
      if (run === undefined) throw new RangeError('applyAuthorship: the op reaches past the end of the document');
      const used = Math.min(n, left);
      if (keep) pushRun(out, { length: used, authorId: run.authorId, version: run.version });
      n -= used;
      left -= used;
      if (left === 0) left = runs[++index]?.length ?? 0;
    }
  };
  for (const c of change.ops) {
    if (c.insert !== undefined) {
      const attributes = c.attributes ?? {};
      const author = attributes[AUTHOR];
      const version = attributes[VERSION];
      if (typeof version !== 'number') throw new Error('applyAuthorship: an insert without a version tag');
      pushRun(out, { length: typeof c.insert === 'string' ? c.insert.length : 1, authorId: typeof author === 'string' ? author : null, version });
    } else if (typeof c.delete === 'number') {
      take(c.delete, false);
    } else if (typeof c.retain === 'number') {
      take(c.retain, true);
    }
  }
  // The rest of the document is retained implicitly.
  if (left > 0) {
    const run = runs[index];
    if (run !== undefined) pushRun(out, { length: left, authorId: run.authorId, version: run.version });
  }
  for (let i = index + 1; i < runs.length; i++) pushRun(out, runs[i] as BlameRun);
  return out;
}

/** Appends a run, merging it into the last one when both have the same author and version. */
function pushRun(out: BlameRun[], run: BlameRun): void {
  if (run.length === 0) return;
  const last = out[out.length - 1];
  if (last !== undefined && last.authorId === run.authorId && last.version === run.version) {
    out[out.length - 1] = { length: last.length + run.length, authorId: run.authorId, version: run.version };
  } else {
    out.push(run);
  }
}

/** Total length the runs cover. */
export function blameLength(runs: readonly BlameRun[]): number {
  return runs.reduce((n, r) => n + r.length, 0);
}

/**
 * The runs with their text, from the content at the same version [H8]. Every character of the
 * content is in exactly one span, in order. With `page`, only runs `skip … skip + first - 1`, and
 * only their part of the text is built (a page costs the page plus one pass over run lengths).
 * @throws when the runs do not cover the content exactly (blame and content from different versions: a bug).
 */
export function blameSpans(content: Delta, runs: readonly BlameRun[], page?: { readonly skip: number; readonly first: number }): BlameSpan[] {
  const length = content.length();
  if (blameLength(runs) !== length) {
    throw new Error(`blameSpans: runs cover ${blameLength(runs)} characters but the content has ${length}`);
  }
  const skip = Math.max(0, page?.skip ?? 0);
  const shown = runs.slice(skip, page === undefined ? runs.length : skip + Math.max(0, page.first));
  let start = 0;
  for (let i = 0; i < skip && i < runs.length; i++) start += runs[i]!.length;
  const end = shown.reduce((n, r) => n + r.length, start);
  const text = content
    .slice(start, end)
    .ops.map((op) => (typeof op.insert === 'string' ? op.insert : '\uFFFC'))
    .join('');
  let offset = 0;
  return shown.map((run) => {
    const span = { ...run, start: start + offset, text: text.slice(offset, offset + run.length) };
    offset += run.length;
    return span;
  });
}
