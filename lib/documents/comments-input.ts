/**
 * What a comment may hold, and how many a document may have (issue 17). Pure checks, run before
 * anything is read or written; the comments service answers their refusals as they are.
 */
import { codePointLength, hasControlCharacters } from '../auth/text.ts';

/** Most characters (Unicode code points, after trimming) in one comment: about four printed pages. */
export const MAX_COMMENT_BODY_LENGTH = 10_000;

/**
 * Most threads one document may have, resolved ones included: every read of a document's threads
 * carries each anchor to head, so this bounds that work (and what one account can pile onto a
 * shared document).
 */
export const MAX_THREADS_PER_DOCUMENT = 2_000;

/** Most comments in one thread; past it, open a new thread. */
export const MAX_COMMENTS_PER_THREAD = 500;

/** A refusal of bad input, shaped like every service refusal (`{ kind: 'rejected' }`). */
export interface InputRejected {
  readonly kind: 'rejected';
  readonly code: 'BAD_USER_INPUT';
  readonly message: string;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const rejected = (message: string): InputRejected => ({ kind: 'rejected', code: 'BAD_USER_INPUT', message });

/**
 * Checks a comment body and answers it trimmed: not empty, at most MAX_COMMENT_BODY_LENGTH
 * characters, line breaks and tabs allowed, no other control character and no unpaired surrogate
 * (neither can be stored as text).
 */
export function checkCommentBody(value: string): { readonly kind: 'valid'; readonly body: string } | InputRejected {
  const body = value.trim();
  if (body.length === 0) return rejected('The comment is empty; type some text before sending it.');
  const length = codePointLength(body);
  if (length > MAX_COMMENT_BODY_LENGTH) {
    return rejected(`The comment is ${length} characters long; the limit is ${MAX_COMMENT_BODY_LENGTH}. Shorten it or split it into replies.`);
  }
  if (hasControlCharacters(body)) return rejected('The comment contains a control character (such as NUL); remove it and send it again.');
  if (LONE_SURROGATE.test(body)) return rejected('The comment contains half of a character (an unpaired UTF-16 surrogate); send well-formed text.');
  return { kind: 'valid', body };
}
