/** One cursor and page-size rule for every paged list of the document services (lib/documents/paging.ts). */
import { describe, expect, it } from 'vitest';
import { cursorCodec, NOT_OUR_CURSOR, pageSizeProblem } from '../../lib/documents/paging.ts';

describe('page cursors', () => {
  const codec = cursorCodec<number>(
    (n) => `n:${n}`,
    (text) => (/^n:\d+$/.test(text) ? Number(text.slice(2)) : null),
  );

  it('reads back what it gave out, zero included, and the cursor is opaque base64url', () => {
    for (const n of [0, 1, 42, 1e12]) expect(codec.decode(codec.encode(n))).toBe(n);
    expect(codec.encode(7)).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('refuses anything else with BAD_USER_INPUT and its message', () => {
    expect(codec.decode('not a cursor')).toEqual({ kind: 'rejected', code: 'BAD_USER_INPUT', message: NOT_OUR_CURSOR });
    const search = cursorCodec<number>(String, () => null, 'not this search');
    expect(search.decode(search.encode(1))).toMatchObject({ code: 'BAD_USER_INPUT', message: 'not this search' });
  });

  it('page sizes from 1 to the maximum fit; others are refused saying the range', () => {
    expect(pageSizeProblem(1, 100)).toBeNull();
    expect(pageSizeProblem(100, 100)).toBeNull();
    expect(pageSizeProblem(0, 100)).toMatchObject({ code: 'BAD_USER_INPUT', message: 'first must be from 1 to 100, got 0.' });
    expect(pageSizeProblem(101, 100)).toMatchObject({ message: 'first must be from 1 to 100, got 101.' });
  });
});
