/**
 * The diff worker is shared by everyone on an instance; one person may not fill its queue (found in
 * review: a reader sending distant diffs back to back pushed everyone else's past their budget).
 */
import { describe, expect, it } from 'vitest';
import { diffOffThread } from '../../lib/documents/history-worker.ts';
import { Delta } from '../../lib/ot/operation.ts';

const text = (seed: string) => new Delta().insert(`${seed.repeat(2000)}\n`);

describe('diffOffThread owners', () => {
  it('answers busy at once to a second request of the same person while their first is queued or running; others still get their diff', async () => {
    const deadline = Date.now() + 30_000;
    const first = { userId: 'mallory', request: {} };
    const again = { userId: 'mallory', request: {} };
    const other = { userId: 'alice', request: {} };
    const running = diffOffThread(text('ab'), text('cd'), deadline, first);
    const sameRequest = diffOffThread(text('ab'), text('ef'), deadline, first);
    const refused = await diffOffThread(text('gh'), text('ij'), deadline, again);
    expect(refused.kind).toBe('busy');
    const [a, b, c] = await Promise.all([running, sameRequest, diffOffThread(text('kl'), text('mn'), deadline, other)]);
    expect([a.kind, b.kind, c.kind]).toEqual(['done', 'done', 'done']);
    // Once theirs is done, the same person may ask again.
    expect((await diffOffThread(text('op'), text('qr'), deadline, again)).kind).toBe('done');
  }, 60_000);
});
