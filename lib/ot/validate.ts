/**
 * Validation of untrusted values into canonical Deltas (./SPEC.md, OT7 to OT9).
 *
 * Accepted shapes: a quill-delta `Delta`, a plain `{ ops: [...] }` object (the API's JSON form),
 * or a bare `[...]` array of components (what ottypes rich-text and some Quill integrations send).
 * The result is always a fresh, canonical Delta: adjacent components with equal attributes are
 * merged, inserts come before deletes at one position, empty attribute maps are dropped, and
 * trailing plain retains are removed. Nothing in the input is aliased by the result.
 */
import Delta, { type Op } from 'quill-delta';
import { checkAttributes, checkUrl, isPlainObject, preview } from './attributes.ts';
import { DEFAULT_LIMITS, DEFAULT_MAX_OP_BYTES, type Limits } from './limits.ts';
import { fail, ok, type Result } from './result.ts';

/** A cursor or selection: `index` and `length` in UTF-16 code units. */
export interface Selection {
  readonly index: number;
  readonly length: number;
}

// Lone surrogates cannot be stored (PostgreSQL jsonb refuses them, UTF-8 turns them into U+FFFD)
// and U+0000 is both unstorable in PostgreSQL text and quill-delta's placeholder for embeds in diff().
const BAD_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const IMAGE_SCHEMES: readonly string[] = Object.freeze(['http:', 'https:']);

const COMPONENT_KEYS = new Set(['insert', 'retain', 'delete', 'attributes']);

function components(value: unknown): Result<readonly unknown[]> {
  if (value instanceof Delta) return ok(value.ops);
  if (Array.isArray(value)) return ok(value);
  if (isPlainObject(value)) {
    const extra = Object.keys(value).find((k) => k !== 'ops');
    if (extra !== undefined) return fail('BAD_USER_INPUT', `A delta has only an "ops" array; unknown key "${extra.slice(0, 40)}".`);
    if (Array.isArray(value.ops)) return ok(value.ops);
  }
  return fail('BAD_USER_INPUT', 'A delta must be an object { "ops": [...] } (or an array of ops); send insert/retain/delete components inside "ops".');
}

const isCount = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) > 0;

interface Parsed {
  readonly op: Op;
  readonly inserted: number;
  readonly reach: number;
}

function bad(at: string, what: string): Result<Parsed> {
  return fail('BAD_USER_INPUT', `${at}: ${what}`);
}

function withAttributes(op: Op, attributes: Op['attributes']): Op {
  if (attributes !== undefined) op.attributes = attributes;
  return op;
}

function sameAttributes(a: Op['attributes'], b: Op['attributes']): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  // Validated attribute values are primitives, so one level of comparison is deep equality.
  for (const k of keys) if (!Object.hasOwn(b, k) || a[k] !== b[k]) return false;
  return true;
}

/**
 * Appends a fresh, validated component the way quill-delta's `Delta.push` does (merge equal
 * neighbours, insert before delete) without its deep clone of every component, which made
 * validating a JSON snapshot cost more than applying an op to it.
 */
function pushCanonical(ops: Op[], op: Op): void {
  let index = ops.length;
  let last = ops[index - 1];
  if (last !== undefined) {
    if (op.delete !== undefined && last.delete !== undefined) {
      ops[index - 1] = { delete: last.delete + op.delete };
      return;
    }
    if (last.delete !== undefined && op.insert !== undefined) {
      index -= 1;
      last = ops[index - 1];
      if (last === undefined) {
        ops.unshift(op);
        return;
      }
    }
    if (sameAttributes(op.attributes, last.attributes)) {
      if (typeof op.insert === 'string' && typeof last.insert === 'string') {
        ops[index - 1] = withAttributes({ insert: last.insert + op.insert }, op.attributes);
        return;
      }
      if (typeof op.retain === 'number' && typeof last.retain === 'number') {
        ops[index - 1] = withAttributes({ retain: last.retain + op.retain }, op.attributes);
        return;
      }
    }
  }
  if (index === ops.length) ops.push(op);
  else ops.splice(index, 0, op);
}

/** Drops trailing plain retains, as `Delta.chop` does. */
function chopped(ops: Op[]): Delta {
  const last = ops[ops.length - 1];
  if (last !== undefined && typeof last.retain === 'number' && last.attributes === undefined) ops.pop();
  return new Delta(ops);
}

// Hot path (every component of every op and JSON snapshot): no closures, no per-call arrays.
function parseComponent(raw: unknown, at: string, limits: Limits): Result<Parsed> {
  if (!isPlainObject(raw)) return bad(at, 'each op must be an object with one of "insert", "retain" or "delete".');
  for (const key in raw) {
    if (!COMPONENT_KEYS.has(key)) return bad(at, `unknown key "${key.slice(0, 40)}"; an op has only insert/retain/delete and attributes.`);
  }
  const kinds = (raw.insert !== undefined ? 1 : 0) + (raw.retain !== undefined ? 1 : 0) + (raw.delete !== undefined ? 1 : 0);
  if (kinds !== 1) return bad(at, 'each op must have exactly one of "insert", "retain" or "delete".');

  if (raw.delete !== undefined) {
    if (raw.attributes !== undefined) return bad(at, 'a delete cannot have attributes.');
    if (!isCount(raw.delete)) return bad(at, `"delete" must be a positive integer; got ${preview(raw.delete)}.`);
    return ok({ op: { delete: raw.delete }, inserted: 0, reach: raw.delete });
  }

  const attrs = checkAttributes(raw.attributes, raw.retain !== undefined, limits);
  if (!attrs.ok) return bad(at, `${attrs.problem}.`);

  if (raw.retain !== undefined) {
    if (!isCount(raw.retain)) return bad(at, `"retain" must be a positive integer; got ${preview(raw.retain)}.`);
    return ok({ op: withAttributes({ retain: raw.retain }, attrs.value), inserted: 0, reach: raw.retain });
  }

  const insert = raw.insert;
  if (typeof insert === 'string') {
    if (insert.length === 0) return bad(at, '"insert" must be a non-empty string; leave the op out instead.');
    const badAt = insert.search(BAD_TEXT);
    if (badAt >= 0) {
      const what = insert.charCodeAt(badAt) === 0 ? 'a NUL character (U+0000)' : 'an unpaired surrogate (broken UTF-16)';
      return bad(at, `"insert" contains ${what} at offset ${badAt}; send well-formed Unicode text.`);
    }
    return ok({ op: withAttributes({ insert }, attrs.value), inserted: insert.length, reach: 0 });
  }
  if (isPlainObject(insert)) {
    const keys = Object.keys(insert);
    if (keys.length !== 1 || keys[0] !== 'image') {
      return bad(at, 'an embed insert must be { "image": "<https URL>" }; other embeds are not supported.');
    }
    const problem = checkUrl(insert.image, IMAGE_SCHEMES, limits);
    if (problem !== null) return bad(at, `the image URL ${problem}; upload the image and insert its URL instead of a data: URL.`);
    return ok({ op: withAttributes({ insert: { image: insert.image } }, attrs.value), inserted: 1, reach: 0 });
  }
  return bad(at, '"insert" must be a string or { "image": "<https URL>" }.');
}

const utf8 = new TextEncoder();
/** UTF-8 bytes of `text` (Buffer's native count on Node, TextEncoder in browsers). */
const utf8Length = (text: string): number => (typeof Buffer !== 'undefined' ? Buffer.byteLength(text) : utf8.encode(text).length);

/** Whether `ops`, as a JSON array, takes more than `max` bytes; stops counting as soon as it does. */
function jsonBytesPast(ops: readonly unknown[], max: number): boolean {
  let bytes = 1; // "[" and "]", and a comma between each two
  for (const op of ops) {
    let json: string | undefined;
    try {
      json = JSON.stringify(op);
    } catch {
      json = undefined; // not JSON (a cycle, a BigInt): parseComponent refuses it
    }
    bytes += 1 + (json === undefined ? 4 : utf8Length(json));
    if (bytes > max) return true;
  }
  return false;
}

/**
 * Validates an untrusted op (a change against some document) into a canonical Delta.
 *
 * Accepts `{ ops }`, a bare ops array, or a Delta. Each component is exactly one of a non-empty
 * `insert` (well-formed text, or `{ image: http(s) URL }`), a positive-integer `retain` or a
 * positive-integer `delete`; attributes come from the allow-list and may be null only on a retain.
 * Exceeding `limits.maxComponents`, `limits.maxOpBytes` (checked first, before any component is
 * parsed) or `limits.maxInsertLength` fails with `PAYLOAD_TOO_LARGE`;
 * everything else with `BAD_USER_INPUT`, naming the component (`ops[3]`) at fault.
 * Whether the op fits a particular document is checked by `apply`, not here.
 */
export function validateOp(value: unknown, limits: Limits = DEFAULT_LIMITS): Result<Delta> {
  const list = components(value);
  if (!list.ok) return list;
  const raw = list.value;
  if (raw.length > limits.maxComponents) {
    return fail('PAYLOAD_TOO_LARGE', `The op has ${raw.length} components; at most ${limits.maxComponents} are allowed. Split the change into several ops.`);
  }
  const maxOpBytes = limits.maxOpBytes ?? DEFAULT_MAX_OP_BYTES;
  if (jsonBytesPast(raw, maxOpBytes)) {
    return fail('PAYLOAD_TOO_LARGE', `The op is larger than ${maxOpBytes} bytes as JSON; split the change into several ops.`);
  }
  const out: Op[] = [];
  let inserted = 0;
  let reach = 0;
  for (const [i, item] of raw.entries()) {
    const parsed = parseComponent(item, `ops[${i}]`, limits);
    if (!parsed.ok) return parsed;
    inserted += parsed.value.inserted;
    reach += parsed.value.reach;
    if (inserted > limits.maxInsertLength) {
      return fail('PAYLOAD_TOO_LARGE', `The op inserts more than ${limits.maxInsertLength} characters (exceeded at ops[${i}]). Split the change into several ops.`);
    }
    if (reach > limits.maxDocumentLength) {
      return fail('BAD_USER_INPUT', `ops[${i}]: the op reaches position ${reach}, past the largest allowed document (${limits.maxDocumentLength} characters).`);
    }
    pushCanonical(out, parsed.value.op);
  }
  return ok(chopped(out));
}

/**
 * Validates an untrusted document into a canonical Delta: inserts only (same rules as in
 * `validateOp`, no null attributes), at least one character, at most `limits.maxDocumentLength`
 * characters (else `PAYLOAD_TOO_LARGE`), and ending with "\n".
 */
export function validateDocument(value: unknown, limits: Limits = DEFAULT_LIMITS): Result<Delta> {
  const list = components(value);
  if (!list.ok) return list;
  const raw = list.value;
  // Every component holds at least one character, so this bounds the work before looking inside.
  if (raw.length > limits.maxDocumentLength) {
    return fail('PAYLOAD_TOO_LARGE', `The document has ${raw.length} components; a document may hold at most ${limits.maxDocumentLength} characters.`);
  }
  const out: Op[] = [];
  let length = 0;
  for (const [i, item] of raw.entries()) {
    const parsed = parseComponent(item, `ops[${i}]`, limits);
    if (!parsed.ok) return parsed;
    if (parsed.value.op.insert === undefined) {
      return fail('BAD_USER_INPUT', `ops[${i}]: a document contains only inserts; found a ${parsed.value.op.retain !== undefined ? 'retain' : 'delete'}.`);
    }
    length += parsed.value.inserted;
    if (length > limits.maxDocumentLength) {
      return fail('PAYLOAD_TOO_LARGE', `The document is longer than ${limits.maxDocumentLength} characters (exceeded at ops[${i}]).`);
    }
    pushCanonical(out, parsed.value.op);
  }
  const last = out[out.length - 1];
  if (last === undefined || typeof last.insert !== 'string' || !last.insert.endsWith('\n')) {
    return fail('BAD_USER_INPUT', 'A document must end with a newline: make the last op an insert whose text ends with "\\n".');
  }
  return ok(new Delta(out));
}

/**
 * Validates an untrusted selection `{ index, length }` (integers, length ≥ 0). When
 * `documentLength` is given the selection must also lie inside it: index + length ≤ documentLength.
 */
export function validateSelection(value: unknown, documentLength?: number): Result<Selection> {
  if (!isPlainObject(value)) return fail('BAD_USER_INPUT', 'A selection must be an object { "index": n, "length": n }.');
  const extra = Object.keys(value).find((k) => k !== 'index' && k !== 'length');
  if (extra !== undefined) return fail('BAD_USER_INPUT', `A selection has only "index" and "length"; unknown key "${extra.slice(0, 40)}".`);
  const { index, length } = value;
  if (!Number.isSafeInteger(index) || (index as number) < 0) {
    return fail('BAD_USER_INPUT', `Selection "index" must be an integer ≥ 0; got ${preview(index)}.`);
  }
  if (!Number.isSafeInteger(length) || (length as number) < 0) {
    return fail('BAD_USER_INPUT', `Selection "length" must be an integer ≥ 0; got ${preview(length)}.`);
  }
  const selection = { index: index as number, length: length as number };
  if (documentLength !== undefined && selection.index + selection.length > documentLength) {
    return fail('BAD_USER_INPUT', `The selection ends at ${selection.index + selection.length} but the document has ${documentLength} characters; transform it to the latest version.`);
  }
  return ok(selection);
}
