/**
 * ot-fuzzer on `richText` [OT1, OT2, OT10, OT11], shard 1 of 2 (shard 2 is its twin file, so the
 * two run on separate cores): random ops on three sites, checked for apply, compose/apply
 * agreement, TP1 on composed ops and on op lists, and diff.
 * CI: 10,000 iterations per seed, seeds verso-a (here) and verso-b (shard 2): 20,000 in all.
 * Long runs: OT_FUZZ_ITERATIONS=100000 OT_FUZZ_SEED=s1,s2,s3,s4 npx vitest run tests/fuzz/ot-fuzzer-shard
 */
import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { richText } from '../../lib/ot/rich-text.ts';
import { fuzzIterations, fuzzSeeds, runFuzzer, type FuzzableType } from './ot-fuzzer-harness.ts';

const iterations = fuzzIterations(10_000);

describe('ot-fuzzer on richText (shard 1 of 2)', () => {
  for (const seed of fuzzSeeds(0, 2)) {
    it(`[OT1][OT2][OT10][OT11] passes ${iterations} iterations with seed ${seed}`, { timeout: 3_600_000 }, () => {
      runFuzzer(richText, seed, iterations);
    });
  }

  it('[OT11] the harness fails, naming its seed, for a type that breaks TP1', () => {
    // Both sides claim priority, so concurrent inserts at one place diverge.
    const broken: FuzzableType = { ...richText, name: 'broken-rich-text', transform: (op, other) => richText.transform(op, other, 'left') };
    let message = '';
    try {
      runFuzzer(broken, 'harness-check', 2_000);
    } catch (error) {
      message = error instanceof Error ? error.message : String(error);
    }
    expect(message).toMatch(/ot-fuzzer failed for broken-rich-text with seed "harness-check"/);
    const kept = /state kept in (\S+)\)/.exec(message)?.[1];
    expect(kept).toMatch(/ot-fuzz-/);
    if (kept !== undefined) rmSync(kept, { recursive: true, force: true });
  });
});
