/**
 * Runs ot-fuzzer on an ottypes object with lib/ot's random op generator.
 *
 * ot-fuzzer reads its seed from process.env.SEED when the module loads and keeps its state file
 * (`fuzzercrash.data`, restored from on the next load!) in the working directory. So each run
 * loads a fresh copy of the module with the seed set, inside a temporary directory of its own:
 * no stale state file is ever picked up and none is left in the repository. On failure the
 * directory is kept and named in the error, with the seed to reproduce it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Delta } from '../../lib/ot/operation.ts';
import { randomOp } from '../../lib/ot/random-op.ts';

const require = createRequire(import.meta.url);

/** The parts of the ottypes contract ot-fuzzer drives. */
export interface FuzzableType {
  readonly name: string;
  create(initial?: unknown): unknown;
  apply(snapshot: unknown, op: unknown): unknown;
  transform(op: unknown, other: unknown, side: 'left' | 'right'): unknown;
  compose?(a: unknown, b: unknown): unknown;
  deserialize?(data: unknown): unknown;
}

interface OtFuzzer {
  (type: FuzzableType, genRandomOp: (doc: unknown) => [unknown, unknown], iterations?: number): void;
  randomReal: () => number;
}

function loadFuzzer(seed: string): OtFuzzer {
  const path = require.resolve('ot-fuzzer');
  delete require.cache[path];
  const previous = process.env.SEED;
  process.env.SEED = seed;
  try {
    return require(path) as OtFuzzer;
  } finally {
    if (previous === undefined) delete process.env.SEED;
    else process.env.SEED = previous;
  }
}

/** Iterations per seed: OT_FUZZ_ITERATIONS, else `fallback`. */
export const fuzzIterations = (fallback: number): number => Number(process.env.OT_FUZZ_ITERATIONS ?? fallback);

/** The seeds run by default: 2 x 10,000 iterations, one per shard. */
export const DEFAULT_SEEDS: readonly string[] = ['verso-a', 'verso-b'];

/**
 * The seeds shard `shard` (0-based, of `shards`) runs: OT_FUZZ_SEED (comma-separated) or
 * DEFAULT_SEEDS, dealt round-robin so that vitest runs the shards' files on separate cores.
 */
export function fuzzSeeds(shard: number, shards: number): string[] {
  const all = process.env.OT_FUZZ_SEED?.split(',').map((s) => s.trim()).filter((s) => s.length > 0) ?? [...DEFAULT_SEEDS];
  return all.filter((_, i) => i % shards === shard);
}

/**
 * Runs `iterations` ot-fuzzer iterations of `type` with `seed`; throws (naming the seed and the
 * kept state directory) on the first failure. Half of the generated ops are handed over as JSON
 * so the type's parsing of untrusted input is fuzzed too.
 */
export function runFuzzer(type: FuzzableType, seed: string, iterations: number): void {
  const cwd = process.cwd();
  const dir = mkdtempSync(join(tmpdir(), 'ot-fuzz-'));
  process.chdir(dir);
  const log = console.log;
  const err = console.error;
  try {
    const fuzzer = loadFuzzer(seed);
    const random = fuzzer.randomReal;
    const toDelta = (doc: unknown): Delta => (doc instanceof Delta ? doc : new Delta(type.deserialize?.(doc) as Delta));
    const generate = (doc: unknown): [unknown, unknown] => {
      const op = randomOp(toDelta(doc), random, { softMaxLength: 50 });
      const sent: unknown = random() < 0.5 ? op : JSON.parse(JSON.stringify(op));
      return [sent, type.apply(doc, op)];
    };
    // ot-fuzzer reports progress and timings on the console; keep test output readable.
    console.log = () => {};
    console.error = () => {};
    fuzzer(type, generate, iterations);
    rmSync(dir, { recursive: true, force: true });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `ot-fuzzer failed for ${type.name} with seed ${JSON.stringify(seed)}: ${reason}\n` +
        `Reproduce: OT_FUZZ_SEED=${seed} npx vitest run tests/fuzz/ot-fuzzer-shard-1.test.ts (state kept in ${dir}); ` +
        'then keep the seed in tests/fuzz/ot-fuzzer-regressions.test.ts.',
      { cause: error },
    );
  } finally {
    console.log = log;
    console.error = err;
    process.chdir(cwd);
  }
}
