/**
 * Suggestion marks (./SPEC.md, SG1 to SG3): the two attributes that make ordinary document
 * content a proposal, their value format, and the read helpers that list open suggestions.
 *
 * Pure and browser-safe: no Node APIs, no I/O. A suggestion is content carrying a mark, so it
 * transforms, composes, syncs and replays like any other attribute; nothing else stores it.
 */
import Delta, { type AttributeMap, type Op } from 'quill-delta';

/** Attribute on text someone proposes to insert. Value: {@link encodeMark}. */
export const INSERT_MARK = 'suggest-insert';
/** Attribute on text someone proposes to delete. Value: {@link encodeMark}. */
export const DELETE_MARK = 'suggest-delete';
/** Both mark attributes. */
export const MARK_ATTRIBUTES: readonly string[] = Object.freeze([INSERT_MARK, DELETE_MARK]);

/** Whether a mark proposes inserting or deleting the text it is on. */
export type MarkKind = 'insert' | 'delete';

/** Who proposed marked text, and as part of which suggestion. */
export interface Mark {
  readonly kind: MarkKind;
  /** The suggestion's id: 1–100 characters of `[A-Za-z0-9_.:-]`. */
  readonly id: string;
  /** The suggester's user id: 1–64 characters of `[A-Za-z0-9_-]`. */
  readonly author: string;
}

const ID = /^[A-Za-z0-9_.:-]{1,100}$/;
const AUTHOR = /^[A-Za-z0-9_-]{1,64}$/;
const SEPARATOR = '|';

/** True when `id` may name a suggestion [SG1]. */
export const isSuggestionId = (id: string): boolean => ID.test(id);
/** True when `author` may name a suggester [SG1]. */
export const isMarkAuthor = (author: string): boolean => AUTHOR.test(author);

/**
 * The id of the suggestion a submission makes when it does not extend one of its author's
 * open suggestions [SG5]: `<clientId>:<clientSeq>`, which the editor knows before it submits
 * and the server derives from the same submission, so both mark the text identically.
 */
export function suggestionIdFor(clientId: string, clientSeq: number): string {
  const id = `${clientId}:${clientSeq}`;
  if (!isSuggestionId(id) || !Number.isSafeInteger(clientSeq) || clientSeq < 1) {
    throw new RangeError(`suggestionIdFor: "${id.slice(0, 120)}" is not a suggestion id (clientId of [A-Za-z0-9_.:-], clientSeq ≥ 1)`);
  }
  return id;
}

/** The attribute value of a mark: `"<id>|<author>"` [SG1]. Throws on ids or authors outside SG1. */
export function encodeMark(id: string, author: string): string {
  if (!isSuggestionId(id)) throw new RangeError(`encodeMark: "${id.slice(0, 120)}" is not a suggestion id`);
  if (!isMarkAuthor(author)) throw new RangeError(`encodeMark: "${author.slice(0, 80)}" is not a user id`);
  return `${id}${SEPARATOR}${author}`;
}

/** The id and author a mark value names, or null when it is not a well-formed value [SG1]. */
export function decodeMark(value: unknown): { readonly id: string; readonly author: string } | null {
  if (typeof value !== 'string') return null;
  const at = value.lastIndexOf(SEPARATOR);
  if (at < 0) return null;
  const id = value.slice(0, at);
  const author = value.slice(at + 1);
  return isSuggestionId(id) && isMarkAuthor(author) ? { id, author } : null;
}

/**
 * The mark on a component's attributes, or null for unmarked content. Assumes a well-formed
 * document (SG2: at most one mark, well-formed value); a malformed value reads as unmarked.
 */
export function markOf(attributes: AttributeMap | undefined): Mark | null {
  if (attributes === undefined) return null;
  const inserted = attributes[INSERT_MARK];
  if (inserted !== undefined) {
    const decoded = decodeMark(inserted);
    return decoded === null ? null : { kind: 'insert', ...decoded };
  }
  const deleted = attributes[DELETE_MARK];
  if (deleted !== undefined) {
    const decoded = decodeMark(deleted);
    return decoded === null ? null : { kind: 'delete', ...decoded };
  }
  return null;
}

/** `attributes` without the mark attributes; undefined when nothing else is left. */
export function withoutMarks(attributes: AttributeMap | undefined): AttributeMap | undefined {
  if (attributes === undefined) return undefined;
  let out: AttributeMap | undefined;
  for (const key of Object.keys(attributes)) {
    if (key === INSERT_MARK || key === DELETE_MARK) continue;
    (out ??= {})[key] = attributes[key];
  }
  return out;
}

/** True when any mark attribute (with any value, null included) is among `attributes`' keys. */
export function hasMarkKey(attributes: AttributeMap | undefined): boolean {
  return attributes !== undefined && (Object.hasOwn(attributes, INSERT_MARK) || Object.hasOwn(attributes, DELETE_MARK));
}

/** A range of the document in UTF-16 code units (an embed counts 1). */
export interface SuggestionRange {
  readonly index: number;
  readonly length: number;
}

/** One open suggestion as a document shows it [SG10]. */
export interface OpenSuggestion {
  readonly id: string;
  readonly author: string;
  /** The text it proposes to insert, in document order; an embed stands for U+FFFC. "" when it only deletes. */
  readonly insertedText: string;
  /** The text it proposes to delete, in document order; "" when it only inserts. */
  readonly deletedText: string;
  /** Where its marked text is: maximal runs, adjacent insert and delete runs joined, ascending. */
  readonly ranges: readonly SuggestionRange[];
}

const textOf = (op: Op): string => (typeof op.insert === 'string' ? op.insert : '\uFFFC');
const lengthOf = (op: Op): number => (typeof op.insert === 'string' ? op.insert.length : 1);

/**
 * The open suggestions of a document [SG10]: every suggestion id that marks some of its text,
 * in the order of their first marked character. A suggestion is open exactly while its marks
 * are in the document, so this is also what `at(version)` shows for an older version.
 */
export function openSuggestions(doc: Delta): OpenSuggestion[] {
  const found = new Map<string, { author: string; inserted: string[]; deleted: string[]; ranges: { index: number; length: number }[] }>();
  let index = 0;
  for (const op of doc.ops) {
    const length = lengthOf(op);
    const mark = markOf(op.attributes);
    if (mark !== null) {
      let entry = found.get(mark.id);
      if (entry === undefined) {
        entry = { author: mark.author, inserted: [], deleted: [], ranges: [] };
        found.set(mark.id, entry);
      }
      (mark.kind === 'insert' ? entry.inserted : entry.deleted).push(textOf(op));
      const last = entry.ranges[entry.ranges.length - 1];
      if (last !== undefined && last.index + last.length === index) last.length += length;
      else entry.ranges.push({ index, length });
    }
    index += length;
  }
  return [...found].map(([id, e]) => ({
    id,
    author: e.author,
    insertedText: e.inserted.join(''),
    deletedText: e.deleted.join(''),
    ranges: e.ranges,
  }));
}

/** The open suggestion `id` of a document, or null when no text carries its mark. */
export function findSuggestion(doc: Delta, id: string): OpenSuggestion | null {
  return openSuggestions(doc).find((s) => s.id === id) ?? null;
}

/** The document as it would be if every open suggestion were accepted (`'accepted'`) or rejected (`'original'`). */
export function resolvedView(doc: Delta, view: 'accepted' | 'original'): Delta {
  const out = new Delta();
  for (const op of doc.ops) {
    const mark = markOf(op.attributes);
    const drop = mark !== null && (view === 'accepted' ? mark.kind === 'delete' : mark.kind === 'insert');
    if (!drop) out.insert(op.insert as string, withoutMarks(op.attributes));
  }
  return out;
}
