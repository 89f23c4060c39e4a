/**
 * Seeded fuzz of suggestions with concurrent suggesters, editors, accepts, rejects and
 * withdrawals [SG15] (harness: ./suggestion-fuzz-harness.ts). Each seed runs
 * SUGGEST_FUZZ_STEPS random steps (default 4,000) and prints its figures.
 * Long runs: SUGGEST_FUZZ_STEPS=50000 SUGGEST_FUZZ_SEEDS=s1,s2,s3 npx vitest run tests/fuzz/ot-suggestion-fuzz
 * A seed that once failed stays below as a named test.
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
});
