import { describe, expect, it } from 'vitest';
import { backOffUntil } from '../../bench/lib/light-editor.ts';
import { seededRandom } from '../../lib/ot/random-op.ts';

describe("bench light editors' back-off after RATE_LIMITED", () => {
  it('waits retryAfterSeconds and up to as long again, drawn when the back-off starts', () => {
    expect(backOffUntil(0, 10_000, 1, () => 0)).toBe(11_000);
    expect(backOffUntil(0, 10_000, 1, () => 0.999)).toBeCloseTo(11_999, 6);
    expect(backOffUntil(0, 10_000, 2, () => 0.5)).toBe(13_000);
    // A back-off that ended starts a new one.
    expect(backOffUntil(10_500, 11_000, 1, () => 0)).toBe(12_000);
  });

  it("a refusal during a back-off extends it only to that refusal's own retryAfterSeconds, without a new draw", () => {
    let draws = 0;
    const random = () => (draws++, 0.4);
    const first = backOffUntil(0, 10_000, 1, random); // 11,400
    expect(draws).toBe(1);
    expect(backOffUntil(first, 10_020, 1, random)).toBe(first);
    expect(backOffUntil(first, 10_600, 1, random)).toBe(11_600); // never sooner than its own second
    expect(draws).toBe(1);
  });

  it('editors refused together come back apart: ten refusals each within 50 ms end as spread as one draw', () => {
    const random = seededRandom(13);
    const ends: number[] = [];
    for (let editor = 0; editor < 30; editor++) {
      let until = 0;
      // Each editor's ops in flight are refused one after another, as a full document answers them.
      for (let refusal = 0; refusal < 10; refusal++) until = backOffUntil(until, 10_000 + refusal * 5, 1, random);
      ends.push(until - 10_000);
    }
    const mean = ends.reduce((a, b) => a + b, 0) / ends.length;
    // One draw per back-off: uniform over 1–2 s (mean ~1.5 s, spread ~1 s). A draw per refusal
    // made it the latest of ten (a mean near 1.9 s, spread ~0.3 s).
    expect(mean).toBeGreaterThan(1300);
    expect(mean).toBeLessThan(1700);
    expect(Math.max(...ends) - Math.min(...ends)).toBeGreaterThan(600);
    for (const end of ends) expect(end).toBeGreaterThanOrEqual(1045); // no refused op before its own second
  });
});
