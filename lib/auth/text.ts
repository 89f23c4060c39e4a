/**
 * What text input Verso accepts, checked before any work is done with it (a lookup, a hash, a
 * write). PostgreSQL refuses NUL in text outright, and control characters in names, titles or
 * addresses only ever come from scripts probing for a 500.
 */

/** Control characters refused in any text argument: C0 except tab, line feed and carriage return; DEL; C1. */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
/** Control characters refused in one-line fields (names, emails, token names): every C0, DEL and C1. */
const CONTROL_OR_LINE_BREAK = /[\u0000-\u001F\u007F-\u009F]/;

/** True when `text` holds a control character other than tab, line feed or carriage return. */
export function hasControlCharacters(text: string): boolean {
  return CONTROL.test(text);
}

/** Why a one-line field (a name, an address, a token name) is refused, or null when it has no control character. */
export function lineProblem(label: string, text: string): string | null {
  return CONTROL_OR_LINE_BREAK.test(text) ? `${label} must not contain control characters or line breaks; type it on one line.` : null;
}

/** Length in Unicode code points (what a person counts), not UTF-16 units. */
export function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}
