/**
 * Page cursors and page sizes, one way for every paged list of the services: a cursor is opaque
 * to clients (base64url of a text only the server reads) and one that is not ours is refused
 * `BAD_USER_INPUT`, telling the client to pass back `pageInfo.endCursor`.
 */
import { rejected, type Rejected } from './types.ts';

/** The usual refusal of a cursor this API did not give out. */
export const NOT_OUR_CURSOR = '`after` is not a cursor this API gave out; pass `pageInfo.endCursor` from the previous page.';

export interface CursorCodec<T> {
  readonly encode: (value: T) => string;
  /** The value the cursor carries, or the refusal when it is not one `encode` made. */
  readonly decode: (cursor: string) => T | Rejected;
}

/** A cursor for values written by `format` and read back by `parse` (null: not ours, refused with `refusal`). */
export function cursorCodec<T>(format: (value: T) => string, parse: (text: string) => T | null, refusal = NOT_OUR_CURSOR): CursorCodec<T> {
  return {
    encode: (value) => Buffer.from(format(value)).toString('base64url'),
    decode: (cursor) => parse(Buffer.from(cursor, 'base64url').toString('utf8')) ?? rejected('BAD_USER_INPUT', refusal),
  };
}

/** The refusal of a page size outside 1..`max`, or null when it fits. */
export function pageSizeProblem(first: number, max: number): Rejected | null {
  return first < 1 || first > max ? rejected('BAD_USER_INPUT', `first must be from 1 to ${max}, got ${first}.`) : null;
}
