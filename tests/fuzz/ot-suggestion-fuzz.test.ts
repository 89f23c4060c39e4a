/**
 * Seeded fuzz of suggestions with concurrent suggesters, editors, accepts, rejects and
 * withdrawals [SG15] (harness: ./suggestion-fuzz-harness.ts). Each seed runs
 * SUGGEST_FUZZ_STEPS random steps (default 4,000) and prints its figures.
 * Long runs: SUGGEST_FUZZ_STEPS=50000 SUGGEST_FUZZ_SEEDS=s1,s2,s3 npx vitest run tests/fuzz/ot-suggestion-fuzz
 * Last long run (seeds long-1..long-4, 50,000 steps each, 2026-12-06): all converged; in all,
 * 16,438 ops applied (22,123 local changes and 5,652 undos, composed while one op was in flight),
 * 1,949 accepts and 5,194 rejects/withdrawals; refused at head (SG15 races): 1,141 plain edits
 * deleting or inserting in text proposed meanwhile (SG11) and 270 suggestions landing inside
 * someone else's; 304 suggestions converted differently at head (own proposal accepted meanwhile);
 * 1,715 resyncs.
 * Seeds sg-b and sg-c once reported a divergence that was the harness comparing attribute maps
 * by key order (fixed: ops are compared up to key order, OT9); they stay in the default seeds.
 * A seed that fails because of lib/ot is kept below as a named test.
 */
import { describe, expect, it } from 'vitest';
import { runSuggestionFuzz } from './suggestion-fuzz-harness.ts';

const steps = Number(process.env.SUGGEST_FUZZ_STEPS ?? 4_000);
const seeds = process.env.SUGGEST_FUZZ_SEEDS?.split(',').map((s) => s.trim()).filter(Boolean) ?? ['sg-a', 'sg-b', 'sg-c'];

describe('suggestion fuzz', () => {
  for (const seed of seeds) {
    it(`[SG15] clients converge and marks stay well-formed over ${steps} steps with seed ${seed}`, { timeout: 600_000 }, () => {
      const stats = runSuggestionFuzz(seed, steps);
      console.info(`suggestion fuzz ${seed}: ${JSON.stringify(stats)}`);
      expect(stats.applied).toBeGreaterThan(steps / 20);
      expect(stats.accepted + stats.rejected).toBeGreaterThan(0);
      expect(stats.localSuggestions).toBeGreaterThan(0);
    });
  }

  it('[SG15] the harness fails, naming its seed, when a client breaks ties the wrong way', () => {
    expect(() => runSuggestionFuzz('harness-check', 4_000, { brokenTies: true })).toThrow(/suggestion fuzz failed with seed "harness-check" at step \d+: \w+ (diverged|could not apply)/);
  });
});
