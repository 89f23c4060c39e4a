/**
 * Suggestions on the operation type (./SPEC.md, SG1 to SG14): the converter from a plain op to
 * its suggestion form, the well-formedness checks the server runs on submitted ops, and the
 * accept / reject op builders.
 *
 * Pure and browser-safe (no Node APIs): the server converts `suggestOperation`'s op with
 * {@link toSuggestion} at head, and the editor in Suggesting mode converts each local change with
 * the same function before applying it, so it applies exactly what it submits.
 *
 * Expected refusals are values carrying a stable `reason` (SG13); misuse by our own code (an
 * author or id outside SG1) throws.
 */
import Delta, { type AttributeMap } from 'quill-delta';
import { checkApplicable } from './applicable.ts';
import { checkAttributes, isPlainObject } from './attributes.ts';
import { DEFAULT_LIMITS, DEFAULT_MAX_OP_BYTES, type Limits } from './limits.ts';
import type { OtErrorCode, Result } from './result.ts';
import {
  DELETE_MARK,
  decodeMark,
  encodeMark,
  hasMarkKey,
  INSERT_MARK,
  isMarkAuthor,
  isSuggestionId,
  markOf,
  withoutMarks,
  type Mark,
} from './suggestion-marks.ts';
import { validateOp } from './validate.ts';

export * from './suggestion-marks.ts';

/** Why an op was refused [SG13]. Stable: clients may switch on it. */
export type SuggestionRefusal =
  /** The op is not a valid delta (OT7 to OT9). */
  | 'INVALID_OP'
  /** The op does not fit the document (OT5, OT6). */
  | 'DOES_NOT_FIT'
  /** A mark names someone other than the submitter. */
  | 'FOREIGN_AUTHOR'
  /** The op inserts inside, deletes, or re-marks text someone else proposed. */
  | 'FOREIGN_SUGGESTION'
  /** A suggestion changes formats of existing text: not supported. */
  | 'FORMAT_NOT_SUGGESTIBLE'
  /** A mark where none may be: an insertion mark on a retain, a deletion mark on an insert, two marks on one component, a malformed value. */
  | 'MISPLACED_MARK'
  /** A mark names a suggestion that is neither this submission's nor one of its author's. */
  | 'UNKNOWN_SUGGESTION'
  /** A plain edit (submitOperation) writes or removes marks: only suggestOperation, accept and reject do. */
  | 'MARK_IN_EDIT'
  /** Accept or reject of a suggestion that no text of the document carries. */
  | 'NO_SUCH_SUGGESTION'
  /**
   * A converted suggestion, carried to where it commits, really deletes text that is no longer
   * its author's proposed insertion (accepted or rejected meanwhile), or proposes deleting text
   * that carries another mark now: convert it again there (SG18). An accept or reject, carried
   * to where it commits, no longer resolves exactly its suggestion: build it again (SG19). The
   * server does both itself; a client sees it only as a retryable `CONFLICT` or `NOT_FOUND`.
   */
  | 'PROPOSAL_RESOLVED';

/** Error code of a refusal: the API's code (`NOT_FOUND` only for NO_SUCH_SUGGESTION). */
export type SuggestionErrorCode = OtErrorCode | 'NOT_FOUND';

/** Like lib/ot's Result, with the refusal's reason. */
export type SuggestionResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly code: SuggestionErrorCode; readonly reason: SuggestionRefusal; readonly message: string };

const accepted = <T>(value: T): SuggestionResult<T> => ({ ok: true, value });
const refused = <T = never>(reason: SuggestionRefusal, message: string): SuggestionResult<T> => ({
  ok: false,
  code: reason === 'NO_SUCH_SUGGESTION' ? 'NOT_FOUND' : 'BAD_USER_INPUT',
  reason,
  message,
});

/** Who submits a suggestion, and the id its new marks get [SG5]. */
export interface Suggester {
  /** The submitter's user id (SG1). */
  readonly author: string;
  /** The id of the suggestion this submission makes, normally `suggestionIdFor(clientId, clientSeq)`. */
  readonly id: string;
  /**
   * The author of a suggestion the document does not show (the server's record), or
   * null/undefined when unknown. Lets an op extend its author's suggestion that was closed
   * concurrently, and refuses an id that another author's suggestion already used [SG6].
   */
  readonly authorOf?: (id: string) => string | null | undefined;
}

// ---------------------------------------------------------------------------------------------
// Walking a document alongside an op

/**
 * The document's characters, walked left to right, with the mark of the character just passed.
 * Its own cursor over the components (no copy of their text per piece, unlike quill's OpIterator):
 * the planner walks the document for every plain edit on marked content [PL10].
 */
class DocWalk {
  private readonly ops: Delta['ops'];
  private index = 0;
  private offset = 0;
  /** Mark of the character before the current position (null at 0 or after unmarked text). */
  before: Mark | null = null;

  constructor(doc: Delta) {
    this.ops = doc.ops;
  }

  /** Mark of the character at the current position (null at the end or on unmarked text). */
  get after(): Mark | null {
    const op = this.ops[this.index];
    return op === undefined ? null : markOf(op.attributes);
  }

  /** Takes the next piece of at most `max` characters that has one mark (or none); past the end, one unmarked character. */
  take(max: number): { readonly length: number; readonly mark: Mark | null } {
    const op = this.ops[this.index];
    if (op === undefined) {
      this.before = null;
      return { length: 1, mark: null };
    }
    const left = (typeof op.insert === 'string' ? op.insert.length : 1) - this.offset;
    let length = left;
    if (max < left) {
      length = max;
      this.offset += max;
    } else {
      this.index++;
      this.offset = 0;
    }
    const mark = markOf(op.attributes);
    this.before = mark;
    return { length, mark };
  }
}

const describe = (mark: Mark): string => `suggestion ${mark.id} (${mark.kind === 'insert' ? 'a proposed insertion' : 'a proposed deletion'} by ${mark.author})`;

/** The foreign suggestion an insert at the current position would land inside, or null [SG7]. */
function insideForeign(walk: DocWalk, author: string): Mark | null {
  const before = walk.before;
  const after = walk.after;
  return before !== null && after !== null && before.id === after.id && before.author !== author ? before : null;
}

/** The open suggestions of `doc` and their authors. */
function suggestionAuthors(doc: Delta): Map<string, string> {
  const authors = new Map<string, string>();
  for (const op of doc.ops) {
    const mark = markOf(op.attributes);
    if (mark !== null && !authors.has(mark.id)) authors.set(mark.id, mark.author);
  }
  return authors;
}

/**
 * The id the op's new marks get [SG5]: that of the first of the author's own open suggestions
 * the op touches (edits inside, or right next to, its marked text), else the submission's id.
 */
function joinedId(doc: Delta, op: Delta, author: string): string | null {
  const walk = new DocWalk(doc);
  const own = (mark: Mark | null) => (mark !== null && mark.author === author ? mark.id : null);
  for (const c of op.ops) {
    if (c.insert !== undefined) {
      const found = own(walk.before) ?? own(walk.after);
      if (found !== null) return found;
      continue;
    }
    const n = typeof c.retain === 'number' ? c.retain : (c.delete as number);
    const edits = c.delete !== undefined || hasMarkKey(c.attributes);
    if (edits) {
      const found = own(walk.before);
      if (found !== null) return found;
    }
    let left = n;
    while (left > 0) {
      const piece = walk.take(left);
      left -= piece.length;
      if (edits && own(piece.mark) !== null) return own(piece.mark);
    }
    if (edits) {
      const found = own(walk.after);
      if (found !== null) return found;
    }
  }
  return null;
}

/**
 * True when `id` is `<clientId>:<n>` for the clientId of `own` (`<clientId>:<clientSeq>`): the
 * ids an editor gives its local changes before they are sent, composed, as one submission.
 */
function sameSession(id: string, own: string): boolean {
  const cut = own.lastIndexOf(':');
  if (cut < 0) return id === own;
  const prefix = own.slice(0, cut + 1);
  return id.startsWith(prefix) && /^[1-9][0-9]{0,15}$/.test(id.slice(prefix.length));
}

/** Checks a mark value the op carries against its submitter [SG6]; null when acceptable. */
function checkOwnMark(value: unknown, by: Suggester, authors: ReadonlyMap<string, string>, at: string): SuggestionResult<never> | null {
  const decoded = decodeMark(value);
  if (decoded === null) return refused('MISPLACED_MARK', `${at}: a suggestion mark must be "<suggestion id>|<user id>"; leave marks out and let the server add them.`);
  if (decoded.author !== by.author) {
    return refused('FOREIGN_AUTHOR', `${at}: the mark names ${decoded.author}, but only your own suggestions can be marked; leave marks out and let the server add them.`);
  }
  const owner = authors.get(decoded.id) ?? by.authorOf?.(decoded.id) ?? (sameSession(decoded.id, by.id) ? by.author : undefined);
  if (owner === undefined || owner === null) {
    return refused('UNKNOWN_SUGGESTION', `${at}: suggestion ${decoded.id} is neither this session's (${by.id}) nor one of yours; leave marks out and let the server add them.`);
  }
  if (owner !== by.author) return refused('FOREIGN_SUGGESTION', `${at}: suggestion ${decoded.id} is ${owner}'s; only its author can extend it.`);
  return null;
}

// ---------------------------------------------------------------------------------------------
// The converter

/**
 * The suggestion form of `op`, made by `by` against `doc` [SG4 to SG8]:
 * - inserted content is kept and marked as `by`'s proposed insertion (its formats kept);
 * - each deleted character is kept and marked as `by`'s proposed deletion, except that the
 *   author's own proposed insertion really goes, and text already proposed for deletion (by
 *   anyone) is left as it is;
 * - the new marks get the id of the author's own open suggestion the op touches, else `by.id`;
 * - a retain that sets the deletion mark counts as a delete, and one that removes the author's
 *   own deletion mark withdraws it, so the converter's output converts to itself (SG8);
 * - refused: inserting inside or deleting someone else's proposed text (`FOREIGN_SUGGESTION`),
 *   changing formats of existing text (`FORMAT_NOT_SUGGESTIBLE`), marks naming someone else or
 *   an unknown suggestion, an insertion mark on a retain, and ops that do not fit `doc`.
 *
 * `doc` is a valid document (at head on the server, the local document in the editor) and `op` a
 * validated op (`validateSuggestionOp` when it may carry marks). The result fits `doc`, is canonical
 * and passes {@link checkSuggestion}.
 * @throws RangeError when `by.author` or `by.id` is outside SG1 (a bug in the caller).
 */
export function toSuggestion(doc: Delta, op: Delta, by: Suggester): SuggestionResult<Delta> {
  if (!isMarkAuthor(by.author)) throw new RangeError(`toSuggestion: "${by.author.slice(0, 80)}" is not a user id`);
  if (!isSuggestionId(by.id)) throw new RangeError(`toSuggestion: "${by.id.slice(0, 120)}" is not a suggestion id`);
  const fits = checkApplicable(doc, op);
  if (!fits.ok) return refused('DOES_NOT_FIT', fits.message);
  const authors = suggestionAuthors(doc);
  const freshOwner = authors.get(by.id) ?? by.authorOf?.(by.id);
  if (freshOwner !== undefined && freshOwner !== null && freshOwner !== by.author) {
    return refused('FOREIGN_SUGGESTION', `Suggestion ${by.id} is ${freshOwner}'s; submit with a clientId of your own.`);
  }
  const mark = encodeMark(joinedId(doc, op, by.author) ?? by.id, by.author);
  const walk = new DocWalk(doc);
  const out = new Delta();
  const length = doc.length();
  let pos = 0;
  for (const [i, c] of op.ops.entries()) {
    const at = `ops[${i}]`;
    if (c.insert !== undefined) {
      const inside = insideForeign(walk, by.author);
      if (inside !== null) return refused('FOREIGN_SUGGESTION', `${at}: inserts inside ${describe(inside)}; insert before or after it, or ask for it to be accepted or rejected first.`);
      if (c.attributes?.[DELETE_MARK] !== undefined) return refused('MISPLACED_MARK', `${at}: inserted text cannot be proposed for deletion; leave marks out.`);
      const given = c.attributes?.[INSERT_MARK];
      if (given !== undefined) {
        const problem = checkOwnMark(given, by, authors, at);
        if (problem !== null) return problem;
      }
      out.insert(c.insert as string | Record<string, unknown>, { ...withoutMarks(c.attributes), [INSERT_MARK]: given ?? mark });
      continue;
    }
    const n = typeof c.retain === 'number' ? c.retain : (c.delete as number);
    let deletion: string | null = null; // the mark a deleting component puts on unmarked text
    let explicit = false; // the deletion mark was given (a converted op), not made here
    let withdraw = false;
    if (c.retain !== undefined && c.attributes !== undefined) {
      if (withoutMarks(c.attributes) !== undefined) {
        return refused('FORMAT_NOT_SUGGESTIBLE', `${at}: suggestions propose insertions and deletions only; a format change (${Object.keys(withoutMarks(c.attributes) ?? {}).join(', ')}) cannot be suggested. Ask an editor, or switch to Editing if you may edit.`);
      }
      if (c.attributes[INSERT_MARK] !== undefined) {
        return refused('MISPLACED_MARK', `${at}: only inserted text carries an insertion mark; to accept a suggestion use acceptSuggestion.`);
      }
      const value = c.attributes[DELETE_MARK];
      if (value === null) withdraw = true;
      else {
        const problem = checkOwnMark(value, by, authors, at);
        if (problem !== null) return problem;
        deletion = value as string;
        explicit = true;
      }
    } else if (c.delete !== undefined) deletion = mark;
    if (deletion !== null && pos + n === length) {
      return refused('DOES_NOT_FIT', `${at}: proposes deleting the document's final newline (position ${length - 1}); every document keeps its final "\\n".`);
    }
    pos += n;
    let left = n;
    while (left > 0) {
      const piece = walk.take(left);
      left -= piece.length;
      const m = piece.mark;
      if (deletion !== null) {
        if (m === null) out.retain(piece.length, { [DELETE_MARK]: deletion });
        // Already proposed for deletion: left as it is, except that an author's own given mark
        // re-marks their own proposal (an editor's composed changes: withdraw, then delete again).
        else if (m.kind === 'delete') out.retain(piece.length, explicit && m.author === by.author ? { [DELETE_MARK]: deletion } : undefined);
        else if (m.author === by.author) out.delete(piece.length);
        else return refused('FOREIGN_SUGGESTION', `${at}: deletes text of ${describe(m)}; ask for it to be rejected instead.`);
      } else if (withdraw) {
        if (m !== null && m.kind === 'delete' && m.author !== by.author) {
          return refused('FOREIGN_SUGGESTION', `${at}: withdraws ${describe(m)}; only its author can, or an editor can reject it.`);
        }
        // Kept on every character, marked or not (no effect on the others): an editor that
        // composed a deletion and its withdrawal sends this, and gets the same op back (SG15).
        out.retain(piece.length, { [DELETE_MARK]: null });
      } else out.retain(piece.length);
    }
  }
  return accepted(out.chop());
}

// ---------------------------------------------------------------------------------------------
// Well-formedness checks the server runs

/**
 * Whether `op` is well-formed as `by`'s suggestion on `doc` [SG9]: it converts to itself.
 * The server runs {@link toSuggestion} on every `suggestOperation`, so this is for ops that
 * claim to be in suggestion form already (tests, and an editor checking what it is about to
 * send). Refusals are the converter's, plus `MISPLACED_MARK` naming the first component that
 * the converter would change.
 */
export function checkSuggestion(doc: Delta, op: Delta, by: Suggester): SuggestionResult<Delta> {
  const converted = toSuggestion(doc, op, by);
  if (!converted.ok) return converted;
  const expected = converted.value.ops;
  const index = op.ops.findIndex((c, i) => JSON.stringify(c) !== JSON.stringify(expected[i]));
  if (index >= 0 || expected.length !== op.ops.length) {
    const at = index >= 0 ? index : Math.min(op.ops.length, expected.length);
    return refused('MISPLACED_MARK', `ops[${at}]: the op is not in suggestion form (deleted text is marked, not removed; inserted text carries your mark); convert it with toSuggestion first.`);
  }
  return accepted(op);
}

/**
 * Whether a plain edit (`submitOperation`) by `author` is allowed on `doc` [SG11]: it fits, it
 * writes and removes no marks, and it neither inserts inside nor deletes any of someone
 * else's proposed text (the author's own proposed text it may change like any other). Format
 * changes are allowed on any text, proposed or not. Accept and reject ops are built by the
 * server ({@link acceptOp}, {@link rejectOp}) and are not subject to this check.
 */
export function checkEdit(doc: Delta, op: Delta, author: string): SuggestionResult<Delta> {
  const fits = checkApplicable(doc, op);
  if (!fits.ok) return refused('DOES_NOT_FIT', fits.message);
  return checkEditMarks(doc, op, author);
}

/**
 * {@link checkEdit} for an op already known to fit `doc` (the planner applied it [PL10]): only
 * the mark rules, walking `doc` no further than the op reaches.
 */
export function checkEditMarks(doc: Delta, op: Delta, author: string): SuggestionResult<Delta> {
  return checkLanding(doc, op, author, false);
}

/**
 * Whether `op`, `author`'s suggestion converted ({@link toSuggestion}) on an earlier head and
 * carried to `doc`, still only proposes there [SG18, PL10]: it inserts inside no one else's
 * suggestion (`FOREIGN_SUGGESTION`), really deletes only the author's own proposed insertions
 * (someone else's: `FOREIGN_SUGGESTION`; text no longer proposed by them: `PROPOSAL_RESOLVED`),
 * and proposes deleting only text that is plain or already the author's proposed deletion
 * (text carrying an insertion mark, or another person's deletion mark, put there meanwhile by a
 * restore or a concurrent op: `PROPOSAL_RESOLVED`, so no text ends with two marks, SG2).
 * `PROPOSAL_RESOLVED` means: convert it again on `doc`. `op` fits `doc`.
 */
export function checkSuggestionLanding(doc: Delta, op: Delta, author: string): SuggestionResult<Delta> {
  return checkLanding(doc, op, author, true);
}

/** The refusal of a converted suggestion or a resolve op that must be made again on the newer head [SG18, SG19]. */
const resolvedMeanwhile = (what: string): SuggestionResult<never> =>
  refused('PROPOSAL_RESOLVED', `${what} while yours was on its way; nothing was stored. Send it again.`);

const kindOf = (mark: Mark): string => (mark.kind === 'insert' ? 'a proposed insertion' : 'a proposed deletion');

function checkLanding(doc: Delta, op: Delta, author: string, suggestion: boolean): SuggestionResult<Delta> {
  const walk = new DocWalk(doc);
  // In the person's terms (the op here is the server's carried form, not what they sent) [SG13].
  const what = suggestion ? 'Your suggestion' : 'Your edit';
  const instead = suggestion ? 'type before or after it, or ask for it to be accepted or rejected first' : 'accept or reject it first, or type outside it';
  for (const c of op.ops) {
    if (!suggestion && hasMarkKey(c.attributes)) {
      return refused('MARK_IN_EDIT', 'An edit cannot add or remove suggestion marks; propose the change in Suggesting mode, or accept or reject the suggestion.');
    }
    if (c.insert !== undefined) {
      const inside = insideForeign(walk, author);
      if (inside !== null) return refused('FOREIGN_SUGGESTION', `${what} lands inside a change another person proposed (${kindOf(inside)}); ${instead}. Nothing was stored.`);
      continue;
    }
    const proposes = suggestion && c.retain !== undefined ? decodeMark(c.attributes?.[DELETE_MARK]) : null;
    let left = typeof c.retain === 'number' ? c.retain : (c.delete as number);
    while (left > 0) {
      const piece = walk.take(left);
      left -= piece.length;
      const mark = piece.mark;
      if (proposes !== null) {
        // Where the converter put it: plain text, or the author's own proposed deletion [SG4].
        if (mark !== null && (mark.kind !== 'delete' || mark.author !== author)) return resolvedMeanwhile('The text you propose deleting was proposed or restored as someone\'s change');
        continue;
      }
      if (c.delete === undefined) continue;
      if (mark !== null && mark.author !== author) {
        return refused('FOREIGN_SUGGESTION', `${what} deletes text another person proposed (${kindOf(mark)}); ${suggestion ? 'ask for it to be rejected instead' : 'accept or reject it first'}. Nothing was stored.`);
      }
      if (suggestion && (mark === null || mark.kind !== 'insert')) return resolvedMeanwhile('Text you proposed was accepted or rejected');
    }
  }
  return accepted(op);
}

/**
 * Whether `op`, the accept (`accept`) or reject of suggestion `id` built ({@link acceptOp},
 * {@link rejectOp}) on an earlier head and carried to `doc`, still resolves exactly that
 * suggestion there [SG19, PL10]: every character it deletes, and every character a retain
 * removing a mark lands on, carries `id`'s mark of the kind it was built for (accept deletes
 * proposed deletions and unmarks insertions; reject the reverse), and it touches at least one
 * character. Otherwise `PROPOSAL_RESOLVED`: the suggestion was resolved or changed meanwhile
 * (build the op again on `doc`, which then finds the suggestion gone, `NO_SUCH_SUGGESTION`).
 */
export function checkResolveLanding(doc: Delta, op: Delta, id: string, accept: boolean): SuggestionResult<Delta> {
  const walk = new DocWalk(doc);
  let touches = false;
  for (const c of op.ops) {
    if (c.insert !== undefined) continue; // a resolve op inserts nothing; a transform adds no inserts to it
    let expected: Mark['kind'] | null = null;
    if (c.delete !== undefined) expected = accept ? 'delete' : 'insert';
    else if (c.attributes?.[INSERT_MARK] === null) expected = 'insert';
    else if (c.attributes?.[DELETE_MARK] === null) expected = 'delete';
    let left = typeof c.retain === 'number' ? c.retain : (c.delete as number);
    while (left > 0) {
      const piece = walk.take(left);
      left -= piece.length;
      if (expected === null) continue;
      if (piece.mark === null || piece.mark.id !== id || piece.mark.kind !== expected) {
        return resolvedMeanwhile(`Suggestion ${id.slice(0, 120)} was accepted, rejected or changed`);
      }
      touches = true;
    }
  }
  return touches ? accepted(op) : resolvedMeanwhile(`Suggestion ${id.slice(0, 120)} was accepted, rejected or withdrawn`);
}

/** Whether any component of `delta` (a document or an op) carries a suggestion mark key, set or removed. */
export function hasMarks(delta: Delta): boolean {
  return delta.ops.some((c) => hasMarkKey(c.attributes));
}

// ---------------------------------------------------------------------------------------------
// Accept and reject

function resolveOp(doc: Delta, id: string, accept: boolean): SuggestionResult<Delta> {
  const out = new Delta();
  let found = false;
  for (const c of doc.ops) {
    const length = typeof c.insert === 'string' ? c.insert.length : 1;
    const mark = markOf(c.attributes);
    if (mark === null || mark.id !== id) {
      out.retain(length);
      continue;
    }
    found = true;
    const keep = (mark.kind === 'insert') === accept;
    if (keep) out.retain(length, { [mark.kind === 'insert' ? INSERT_MARK : DELETE_MARK]: null });
    else out.delete(length);
  }
  if (!found) return refused('NO_SUCH_SUGGESTION', `No text of the document carries suggestion ${id.slice(0, 120)}: it was accepted, rejected or withdrawn already, or never made. Reload the suggestions.`);
  return accepted(out.chop());
}

/**
 * The one op that accepts suggestion `id` on `doc` [SG12]: its proposed insertions lose the
 * mark (text and formats kept), its proposed deletions are deleted. Refused with
 * `NO_SUCH_SUGGESTION` (`NOT_FOUND`) when no text carries the suggestion.
 */
export function acceptOp(doc: Delta, id: string): SuggestionResult<Delta> {
  return resolveOp(doc, id, true);
}

/**
 * The one op that rejects (or, by its author, withdraws) suggestion `id` on `doc` [SG12]: its
 * proposed insertions are deleted, its proposed deletions lose the mark. Refused with
 * `NO_SUCH_SUGGESTION` (`NOT_FOUND`) when no text carries the suggestion.
 */
export function rejectOp(doc: Delta, id: string): SuggestionResult<Delta> {
  return resolveOp(doc, id, false);
}

// ---------------------------------------------------------------------------------------------
// Validation of untrusted ops and documents that may carry marks

function markProblem(raw: Record<string, unknown>, at: string): string | null {
  const attributes = raw.attributes;
  if (!isPlainObject(attributes)) return null;
  const inserted = attributes[INSERT_MARK];
  const deleted = attributes[DELETE_MARK];
  if (inserted === undefined && deleted === undefined) return null;
  if (raw.delete !== undefined) return `${at}: a delete cannot have attributes.`;
  if (inserted !== undefined && deleted !== undefined) return `${at}: one component carries both suggestion marks; text is either proposed for insertion or for deletion.`;
  for (const value of [inserted, deleted]) {
    if (value === undefined) continue;
    if (value === null) {
      if (raw.retain === undefined) return `${at}: a null mark is only allowed on a retain.`;
    } else if (decodeMark(value) === null) return `${at}: a suggestion mark must be "<suggestion id>|<user id>".`;
  }
  return null;
}

/**
 * Validates an untrusted op that may carry suggestion marks [SG3]: `validateOp`'s rules (OT7 to
 * OT9) for everything else, mark values in SG1's format, at most one mark per component, null
 * marks on retains only, none on deletes. Whether the marks may be written is decided by
 * {@link toSuggestion} or {@link checkEdit}. Returns a fresh, canonical Delta.
 */
export function validateSuggestionOp(value: unknown, limits: Limits = DEFAULT_LIMITS): SuggestionResult<Delta> {
  let list: readonly unknown[] | null = null;
  if (value instanceof Delta) list = value.ops;
  else if (Array.isArray(value)) list = value;
  else if (isPlainObject(value) && Array.isArray(value.ops) && Object.keys(value).length === 1) list = value.ops;
  // validateOp gives the shape's and the size's message (the component count before any work).
  if (list === null || list.length > limits.maxComponents) return withReason(validateOp(value, limits));
  const stripped: unknown[] = [];
  const marks: (AttributeMap | undefined)[] = [];
  let markBytes = 0;
  for (const [i, raw] of list.entries()) {
    if (!isPlainObject(raw) || !isPlainObject(raw.attributes) || !hasMarkKey(raw.attributes as AttributeMap)) {
      stripped.push(raw);
      marks.push(undefined);
      continue;
    }
    const problem = markProblem(raw, `ops[${i}]`);
    if (problem !== null) return refused('MISPLACED_MARK', problem);
    const attributes = raw.attributes as AttributeMap;
    const rest = withoutMarks(attributes);
    const copy: Record<string, unknown> = { ...raw };
    if (rest === undefined) delete copy.attributes;
    else copy.attributes = rest;
    stripped.push(copy);
    const only: AttributeMap = {};
    for (const key of [INSERT_MARK, DELETE_MARK]) {
      if (!Object.hasOwn(attributes, key)) continue;
      only[key] = attributes[key];
      markBytes += key.length + 6 + JSON.stringify(attributes[key]).length; // mark values are ASCII
    }
    marks.push(only);
  }
  const maxOpBytes = limits.maxOpBytes ?? DEFAULT_MAX_OP_BYTES;
  const plain = validateOp(stripped, { ...limits, maxOpBytes: Math.max(1, maxOpBytes - markBytes) });
  if (!plain.ok) return withReason(plain);
  if (markBytes === 0) return accepted(plain.value);
  // Every component passed; rebuild them one by one so that neighbours that differ only in
  // their marks are not merged.
  const out = new Delta();
  for (const [i, raw] of stripped.entries()) {
    const c = raw as Record<string, unknown>;
    const checked = checkAttributes(c.attributes, c.retain !== undefined, limits);
    const attributes = { ...(checked.ok ? checked.value : undefined), ...marks[i] };
    const attrs = Object.keys(attributes).length > 0 ? attributes : undefined;
    if (c.delete !== undefined) out.delete(c.delete as number);
    else if (c.retain !== undefined) out.retain(c.retain as number, attrs);
    else out.insert(typeof c.insert === 'string' ? c.insert : { image: (c.insert as { image: string }).image }, attrs);
  }
  return accepted(out.chop());
}

function withReason(result: Result<Delta>): SuggestionResult<Delta> {
  if (result.ok) return accepted(result.value);
  return { ok: false, code: result.code, reason: 'INVALID_OP', message: result.message };
}

/**
 * Whether a document's marks are well-formed [SG2]: every mark value in SG1's format, no
 * component with both marks, no mark on the final newline, and each suggestion id naming one
 * author throughout. The converter, accept and reject keep this true (tests/property).
 */
export function checkMarkedDocument(doc: Delta): SuggestionResult<Delta> {
  const authors = new Map<string, string>();
  const last = doc.ops.length - 1;
  for (const [i, c] of doc.ops.entries()) {
    const at = `ops[${i}]`;
    if (!hasMarkKey(c.attributes)) continue;
    const attributes = c.attributes as AttributeMap;
    if (attributes[INSERT_MARK] !== undefined && attributes[DELETE_MARK] !== undefined) return refused('MISPLACED_MARK', `${at}: carries both suggestion marks.`);
    const mark = markOf(attributes);
    if (mark === null) return refused('MISPLACED_MARK', `${at}: a suggestion mark must be "<suggestion id>|<user id>".`);
    if (i === last && typeof c.insert === 'string' && c.insert.endsWith('\n')) {
      return refused('MISPLACED_MARK', `${at}: the document's final newline cannot be proposed text.`);
    }
    const known = authors.get(mark.id);
    if (known !== undefined && known !== mark.author) return refused('FOREIGN_AUTHOR', `${at}: suggestion ${mark.id} names both ${known} and ${mark.author}.`);
    authors.set(mark.id, mark.author);
  }
  return accepted(doc);
}
