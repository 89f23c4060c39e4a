/**
 * One graphql-ws connection per page (review of issues 17 and 18: the editor, the history panel
 * and the live comments each opened a socket of their own): lib/api-client/shared-resource.ts
 * opens the resource once for every holder and closes it after the last one let go.
 */
import { describe, expect, it } from 'vitest';
import { sharedResource } from '../../lib/api-client/shared-resource.ts';

function counted() {
  const opened: number[] = [];
  const closed: number[] = [];
  const scheduled: Array<() => void> = [];
  const shared = sharedResource(
    () => {
      opened.push(opened.length + 1);
      return opened.length;
    },
    (value) => closed.push(value),
    (fn) => scheduled.push(fn),
  );
  const flush = () => {
    for (const fn of scheduled.splice(0)) fn();
  };
  return { shared, opened, closed, flush };
}

describe('sharedResource (one connection per page)', () => {
  it('gives every holder the same resource, opened once', () => {
    const { shared, opened } = counted();
    const editor = shared.acquire();
    const history = shared.acquire();
    const comments = shared.acquire();
    expect(opened).toEqual([1]);
    expect([editor.value, history.value, comments.value]).toEqual([1, 1, 1]);
    expect(shared.holders).toBe(3);
  });

  it('closes it only after the last holder released it, and a new hold then opens a new one', () => {
    const { shared, opened, closed, flush } = counted();
    const a = shared.acquire();
    const b = shared.acquire();
    a.release();
    flush();
    expect(closed).toEqual([]);
    b.release();
    flush();
    expect(closed).toEqual([1]);
    expect(shared.acquire().value).toBe(2);
    expect(opened).toEqual([1, 2]);
  });

  it('keeps it open when it is taken again before the deferred close runs (a re-render gives it back and takes it again)', () => {
    const { shared, opened, closed, flush } = counted();
    shared.acquire().release();
    const again = shared.acquire();
    flush();
    expect(closed).toEqual([]);
    expect(again.value).toBe(1);
    expect(opened).toEqual([1]);
  });

  it('counts a hold released twice once', () => {
    const { shared, closed, flush } = counted();
    const a = shared.acquire();
    const b = shared.acquire();
    a.release();
    a.release();
    flush();
    expect(shared.holders).toBe(1);
    expect(closed).toEqual([]);
    b.release();
    flush();
    expect(closed).toEqual([1]);
  });
});
