/**
 * Expected failures of the operation type are values, never exceptions (see ./SPEC.md, OT0).
 * Misuse by our own code (a bug) throws instead.
 */

/** Codes a caller may see when an op is refused; the same codes as the API's error codes. */
export type OtErrorCode = 'BAD_USER_INPUT' | 'PAYLOAD_TOO_LARGE';

/** Expected failures are values, never exceptions. */
export type Result<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly code: OtErrorCode; readonly message: string };

/** A successful Result. */
export const ok = <T>(value: T): Result<T> => ({ ok: true, value });

/** A failed Result; `message` says what was wrong and what to do about it. */
export const fail = <T = never>(code: OtErrorCode, message: string): Result<T> => ({ ok: false, code, message });

/**
 * The error thrown by the ottypes object (`richText`), whose contract is to throw on invalid
 * input. Carries the same `code` a Result would, so a caller that catches it can still answer
 * with a stable API error code.
 */
export class OtError extends Error {
  override readonly name = 'OtError';
  readonly code: OtErrorCode;

  constructor(code: OtErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** Returns the value of a Result or throws its failure as an OtError. */
export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw new OtError(result.code, result.message);
}
