/** Comment bodies (issue 17): what is refused, with which code and message. */
import { describe, expect, it } from 'vitest';
import { checkCommentBody, MAX_COMMENT_BODY_LENGTH } from '../../lib/documents/comments-input.ts';

describe('checkCommentBody', () => {
  it('answers the body trimmed, keeping inner line breaks and tabs', () => {
    expect(checkCommentBody('  Looks good.\n\tSecond line  \n')).toEqual({ kind: 'valid', body: 'Looks good.\n\tSecond line' });
  });

  it('refuses an empty or blank body', () => {
    expect(checkCommentBody(' \n\t ')).toEqual({ kind: 'rejected', code: 'BAD_USER_INPUT', message: 'The comment is empty; type some text before sending it.' });
  });

  it('counts characters as code points: the limit holds for emoji, one past it is refused', () => {
    expect(checkCommentBody('😀'.repeat(MAX_COMMENT_BODY_LENGTH)).kind).toBe('valid');
    expect(checkCommentBody('a'.repeat(MAX_COMMENT_BODY_LENGTH + 1))).toEqual({
      kind: 'rejected',
      code: 'BAD_USER_INPUT',
      message: 'The comment is 10001 characters long; the limit is 10000. Shorten it or split it into replies.',
    });
  });

  it('refuses control characters and unpaired surrogates', () => {
    expect(checkCommentBody('a\u0000b')).toMatchObject({ kind: 'rejected', code: 'BAD_USER_INPUT', message: expect.stringMatching(/control character/) });
    expect(checkCommentBody('a\uD83Db')).toMatchObject({ kind: 'rejected', message: expect.stringMatching(/unpaired UTF-16 surrogate/) });
  });
});
