/** lib/collab/head-watch.ts [F6]: one read per round for every watched document; only a feed behind for a whole round is refilled. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHeadWatch } from '../../lib/collab/head-watch.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('head watch [F6]', () => {
  it('[F6] 1,000 watched documents cost one store read per round; a feed behind is refilled only once it stayed behind a whole round', async () => {
    vi.useFakeTimers();
    const heads = new Map(Array.from({ length: 1000 }, (_, i) => [`doc-${i}`, 5]));
    const reads: number[] = [];
    const watch = createHeadWatch({
      store: { headVersions: async (ids) => (reads.push(ids.length), new Map([...heads].filter(([id]) => ids.includes(id)))) },
      intervalMs: 100,
    });
    const round = () => vi.advanceTimersByTimeAsync(100);
    const feeds = Array.from({ length: 1000 }, () => ({ version: 5, refills: 0, refill() { this.refills++; } }));
    const stops = feeds.map((feed, i) => watch.watch(`doc-${i}`, feed));
    await round();
    await round();
    expect(reads).toEqual([1000, 1000]);
    expect(feeds.every((f) => f.refills === 0)).toBe(true);

    // doc-1's publish is in flight and arrives before the next round; doc-2's was lost.
    heads.set('doc-1', 6);
    heads.set('doc-2', 6);
    await round(); // sees both behind
    feeds[1]!.version = 6;
    expect(feeds[2]!.refills).toBe(0);
    await round(); // doc-2 still behind the head it was behind: refilled
    expect(feeds[1]!.refills).toBe(0);
    expect(feeds[2]!.refills).toBe(1);
    feeds[2]!.version = 6;
    await round();
    expect(feeds[2]!.refills).toBe(1);

    // Nothing watched: no more reads.
    stops.forEach((stop) => stop());
    await round();
    const idle = reads.length;
    await round();
    await round();
    expect(reads.length).toBe(idle);
    watch.close();
  });
});
