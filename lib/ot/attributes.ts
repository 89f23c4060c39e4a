/**
 * The fixed allow-list of formatting attributes and their values (./SPEC.md, OT8).
 *
 * The list is Quill 2's default formats minus those whose values are free-form (font, size,
 * direction): every value here is either `true`, a small enum, a small integer, a colour, or a
 * URL with a safe scheme, so no attribute can carry markup, scripts or unbounded data.
 */
import type { AttributeMap } from 'quill-delta';
import type { Limits } from './limits.ts';

/** Returns a description of what is wrong with `value`, or null when it is acceptable. */
type ValueCheck = (value: unknown, limits: Limits) => string | null;

/** A short, printable rendering of an untrusted value for error messages. */
export function preview(value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    json = undefined; // BigInt or a cycle: not JSON, so not something a client sent as JSON
  }
  if (json === undefined) return typeof value;
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

const flag: ValueCheck = (v) => (v === true ? null : 'must be true');

const oneOf =
  (...allowed: readonly string[]): ValueCheck =>
  (v) =>
    typeof v === 'string' && allowed.includes(v) ? null : `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`;

const integer =
  (min: number, max: number): ValueCheck =>
  (v) =>
    Number.isInteger(v) && (v as number) >= min && (v as number) <= max ? null : `must be an integer from ${min} to ${max}`;

// The URL parser silently strips tabs, newlines and surrounding spaces, so they are refused
// before parsing: what is stored must be exactly what was checked.
const UNSAFE_URL_CHARS = /[\s\u0000-\u001f\u007f]/;

// Documents repeat the same few links on every formatted run; parsing each again dominated
// validation of JSON snapshots, so verdicts are memoised (bounded, and pure: same input, same answer).
const urlVerdicts = new Map<readonly string[], Map<string, string | null>>();

/** Checks a URL string against an allow-list of schemes (pass the same array each time: it keys the memo). */
export function checkUrl(value: unknown, schemes: readonly string[], limits: Limits): string | null {
  if (typeof value !== 'string' || value.length === 0) return expectedUrl(schemes);
  if (value.length > limits.maxLinkLength) return `must be at most ${limits.maxLinkLength} characters long`;
  let verdicts = urlVerdicts.get(schemes);
  if (verdicts === undefined) {
    verdicts = new Map();
    urlVerdicts.set(schemes, verdicts);
  }
  const known = verdicts.get(value);
  if (known !== undefined) return known;
  const verdict = parseUrl(value, schemes, expectedUrl(schemes));
  if (verdicts.size >= 512) verdicts.clear();
  verdicts.set(value, verdict);
  return verdict;
}

function expectedUrl(schemes: readonly string[]): string {
  return `must be an absolute ${schemes.map((s) => s.replace(/:$/, '')).join('/')} URL`;
}

function parseUrl(value: string, schemes: readonly string[], expected: string): string | null {
  if (UNSAFE_URL_CHARS.test(value)) return `${expected} without spaces or control characters`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return expected;
  }
  return schemes.includes(url.protocol) ? null : expected;
}

const LINK_SCHEMES: readonly string[] = Object.freeze(['http:', 'https:', 'mailto:']);
const link: ValueCheck = (v, limits) => checkUrl(v, LINK_SCHEMES, limits);

const COLOR = /^(?:#[0-9a-f]{3}|#[0-9a-f]{6}|rgb\(\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*\))$/i;
const color: ValueCheck = (v) =>
  typeof v === 'string' && COLOR.test(v) ? null : 'must be a colour like "#e60000", "#fff" or "rgb(230, 0, 0)"';

// Quill's syntax module names the language in the value; without it the value is true.
const LANGUAGE = /^[a-z0-9+#-]{1,32}$/i;
const codeBlock: ValueCheck = (v) =>
  v === true || (typeof v === 'string' && LANGUAGE.test(v)) ? null : 'must be true or a language name like "javascript"';

const CHECKS: Readonly<Record<string, ValueCheck>> = Object.freeze({
  bold: flag,
  italic: flag,
  underline: flag,
  strike: flag,
  code: flag,
  link,
  color,
  background: color,
  script: oneOf('sub', 'super'),
  header: integer(1, 6),
  list: oneOf('ordered', 'bullet', 'checked', 'unchecked'),
  blockquote: flag,
  'code-block': codeBlock,
  align: oneOf('center', 'right', 'justify'),
  indent: integer(1, 8),
});

/** Names of every attribute an op or document may carry. */
export const ALLOWED_ATTRIBUTES: readonly string[] = Object.freeze(Object.keys(CHECKS));

/** True for `{}`-style objects; class instances and arrays are not attribute maps. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The outcome of checking an `attributes` object: a fresh copy (undefined when empty) or a problem. */
export type AttributesCheck =
  | { readonly ok: true; readonly value: AttributeMap | undefined }
  | { readonly ok: false; readonly problem: string };

/**
 * Checks an `attributes` value from untrusted input. `null` values (remove the format) are
 * allowed only when `onRetain`, because only a retain changes existing text. Returns a fresh copy
 * so the caller's object is never aliased, and undefined for an empty map.
 */
export function checkAttributes(value: unknown, onRetain: boolean, limits: Limits): AttributesCheck {
  if (value === undefined) return { ok: true, value: undefined };
  if (!isPlainObject(value)) return { ok: false, problem: `"attributes" must be an object; got ${preview(value)}` };
  const out: AttributeMap = {};
  let count = 0;
  for (const key of Object.keys(value)) {
    const check = Object.hasOwn(CHECKS, key) ? CHECKS[key] : undefined;
    if (check === undefined) {
      return {
        ok: false,
        problem: `attribute "${key.slice(0, 40)}" is not supported; supported attributes are ${ALLOWED_ATTRIBUTES.join(', ')}`,
      };
    }
    const v = value[key];
    if (v === null) {
      if (!onRetain) {
        return { ok: false, problem: `attribute "${key}" is null on an insert; null (remove the format) is only allowed on a retain` };
      }
    } else {
      const problem = check(v, limits);
      if (problem !== null) {
        const hint =
          v === false ? (onRetain ? ' (to remove a format, use null)' : ' (to leave text unformatted, omit the attribute)') : '';
        return { ok: false, problem: `attribute "${key}" ${problem}${hint}; got ${preview(v)}` };
      }
    }
    out[key] = v;
    count++;
  }
  return { ok: true, value: count === 0 ? undefined : out };
}
