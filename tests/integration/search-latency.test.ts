/**
 * Search latency after an edit (issue 20 item 3): the time from an edit's acknowledgement to the
 * document being found by a word that edit added, over real PostgreSQL. Printed for the record.
 * Since the background indexer (lib/search/search-indexer.ts) the promise is "within seconds"
 * (one SEARCH_INDEX_INTERVAL_MS, 1 s by default, plus a pass): the test holds p95 under 2 s, as before.
 */
import { describe, expect, it } from 'vitest';
import { signUp } from '../support/auth.ts';
import { createDocument, indexed, insertText, search } from '../support/search-scenario.ts';
import { startTestServer } from '../support/server.ts';

const EDITS = 30;

describe('search latency after an edit', () => {
  it(`finds a word added by an acknowledged edit within seconds (${EDITS} edits among 50 documents)`, async () => {
    const server = await startTestServer();
    const owner = await signUp(server);
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) ids.push(await createDocument(server, owner, `Notebook ${i}`, `Entry ${i} about nothing in particular.`));
    await indexed(server, ids);
    const latencies: number[] = [];
    const versions = new Map<string, number>();
    for (let i = 0; i < EDITS; i++) {
      const id = ids[(i * 7) % ids.length]!;
      const word = `wordnumber${i}x`;
      const base = versions.get(id) ?? 0;
      versions.set(id, await insertText(server, owner, id, base, 0, `${word} `, base + 1));
      const acked = performance.now();
      let attempts = 0;
      while ((await search(server, owner, word)).edges.length === 0) {
        if (++attempts > 200) throw new Error(`${word} not found`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      latencies.push(performance.now() - acked);
    }
    latencies.sort((a, b) => a - b);
    const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
    console.log(`search latency after an edit's ack over ${EDITS} edits: median ${at(0.5).toFixed(1)} ms, p95 ${at(0.95).toFixed(1)} ms, max ${at(1).toFixed(1)} ms`);
    expect(at(0.95)).toBeLessThan(2_000);
  }, 120_000);
});
