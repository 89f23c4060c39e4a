/**
 * Size bounds applied where untrusted deltas enter (validation) and where a document grows (apply).
 * Lengths count UTF-16 code units, as quill-delta does; an embed counts 1. See ./SPEC.md, OT7.
 */
export interface Limits {
  /** Most components (insert/retain/delete entries) one op may have, as sent. */
  readonly maxComponents: number;
  /** Most characters one op may insert (UTF-16 code units; an embed counts 1). */
  readonly maxInsertLength: number;
  /** Longest document, in UTF-16 code units including the final newline. */
  readonly maxDocumentLength: number;
  /** Longest `link` attribute or image URL. */
  readonly maxLinkLength: number;
  /**
   * Most bytes one op may take as JSON (UTF-8, escapes included), checked before its components
   * are looked at (OT7). Below the WebSocket's frame limit (graphql/ws-transport.ts, 16 MiB) with room for
   * the rest of a submit message, so a valid op never closes the socket. Default {@link DEFAULT_MAX_OP_BYTES}.
   */
  readonly maxOpBytes?: number;
}

/**
 * The bounds used when none are given. A typing op has a handful of components; a large paste of
 * formatted text has one component per formatting run, so 10,000 components and 1,000,000
 * characters leave room for pasting a book chapter while keeping one request's work bounded.
 * 5,000,000 code units is about 1,000 printed pages. 15 MiB of JSON holds the most characters
 * (each escaped as \uXXXX) in the most runs with long links, and stays 1 MiB under the frame limit.
 */
/** `maxOpBytes` when none is given: 15 MiB. */
export const DEFAULT_MAX_OP_BYTES = 15 * 1024 * 1024;

export const DEFAULT_LIMITS: Limits = Object.freeze({
  maxComponents: 10_000,
  maxInsertLength: 1_000_000,
  maxDocumentLength: 5_000_000,
  maxLinkLength: 2_048,
});
