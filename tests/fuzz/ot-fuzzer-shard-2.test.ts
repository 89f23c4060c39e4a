/** ot-fuzzer on `richText`, shard 2 of 2: see ot-fuzzer-shard-1.test.ts. */
import { describe, it } from 'vitest';
import { richText } from '../../lib/ot/rich-text.ts';
import { fuzzIterations, fuzzSeeds, runFuzzer } from './ot-fuzzer-harness.ts';

const iterations = fuzzIterations(10_000);

describe('ot-fuzzer on richText (shard 2 of 2)', () => {
  for (const seed of fuzzSeeds(1, 2)) {
    it(`[OT1][OT2][OT10][OT11] passes ${iterations} iterations with seed ${seed}`, { timeout: 3_600_000 }, () => {
      runFuzzer(richText, seed, iterations);
    });
  }
});
