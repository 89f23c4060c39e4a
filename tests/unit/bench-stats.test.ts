/**
 * The bench's arithmetic: histogram quantiles within 1 % of the exact ones, merging across
 * processes, and the SVG chart drawing one point per step and the 100 ms line.
 */
import { describe, expect, it } from 'vitest';
import { BotMetrics, Histogram } from '../../bench/lib/stats.ts';
import { editorsSvg, type StepResult } from '../../bench/lib/report.ts';

describe('bench histogram', () => {
  it('quantiles are within 1 % above the exact ones; max, count and mean are exact', () => {
    const values = Array.from({ length: 10_000 }, (_, i) => 0.05 + (i * 7919) % 10_000 / 10);
    const h = new Histogram();
    values.forEach((v) => h.record(v));
    const sorted = [...values].sort((a, b) => a - b);
    for (const q of [0.5, 0.95, 0.99]) {
      const exact = sorted[Math.ceil(q * sorted.length) - 1]!;
      expect(h.quantile(q)).toBeGreaterThanOrEqual(exact * 0.999);
      expect(h.quantile(q)).toBeLessThanOrEqual(exact * 1.011);
    }
    expect(h.max).toBe(Math.max(...values));
    expect(h.count).toBe(10_000);
    expect(h.sum / h.count).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 6);
  });

  it('merging the JSON of two halves equals recording everything in one', () => {
    const a = new Histogram();
    const b = new Histogram();
    const all = new Histogram();
    for (let i = 1; i <= 2000; i++) {
      (i % 2 ? a : b).record(i / 7);
      all.record(i / 7);
    }
    const merged = Histogram.from(JSON.parse(JSON.stringify(a)) as ReturnType<Histogram['toJSON']>).merge(b.toJSON());
    expect(merged.summary()).toEqual(all.summary());
  });

  it('an empty histogram has no quantiles', () => {
    expect(new Histogram().quantile(0.5)).toBeNaN();
  });
});

describe('editors chart', () => {
  it('draws four series with one point per step, the 100 ms line and the editor counts', () => {
    const summary = (p99: number) => ({ count: 10, p50: p99 / 4, p95: p99 / 2, p99, max: p99 * 2, mean: p99 / 3 });
    const steps = [10, 50, 100].map(
      (editors, i): StepResult => ({
        label: `editors=${editors}`,
        editors,
        documents: 1,
        offeredPerSecond: editors,
        committedPerSecond: editors,
        deliveriesPerSecond: editors * editors,
        ack: summary(20 * (i + 1)),
        ackFromFirstSend: summary(20 * (i + 1)),
        errorAck: summary(20 * (i + 1)),
        fanout: summary(40 * (i + 1)),
        errors: {},
        errorsByCode: {},
        errorMessages: {},
        rateLimitedWithRetryAfter: 0,
        servers: [],
        loadGenerators: [],
        seconds: 20,
      }),
    );
    const svg = editorsSvg(steps, 'Latency & editors');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<polyline/g)).toHaveLength(4);
    expect(svg.match(/<circle/g)).toHaveLength(12);
    expect(svg).toContain('100 ms');
    expect(svg).toContain('Latency &amp; editors');
    for (const n of ['>10<', '>50<', '>100<']) expect(svg).toContain(n);
  });
});

describe('bench send bookkeeping (full bots and light editors share it)', () => {
  it('counts sends and resends, times accepting answers from this send and the first, counts errors by code, times arrivals of own ops', () => {
    const m = new BotMetrics();
    const first = m.sending('c#1');
    const again = m.sending('c#1');
    expect([m.submissions, m.resubmissions, first <= again]).toEqual([2, 1, true]);
    const limited = m.answered('c#1', first, { errors: [{ message: 'busy', extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 2 } }] });
    expect(limited).toEqual({ accepted: null, code: 'RATE_LIMITED', retryAfterSeconds: 2 });
    expect([m.errorAnswers, m.errorsByCode, m.rateLimitedWithRetryAfter, m.errorMessages.RATE_LIMITED]).toEqual([1, { RATE_LIMITED: 1 }, 1, 'busy']);
    const ok = m.answered('c#1', again, { data: { submitOperation: { version: 7, duplicate: true } } });
    expect(ok.accepted).toEqual({ version: 7, duplicate: true });
    expect([m.acks, m.duplicates, m.ack.count, m.ackFromFirstSend.count]).toEqual([1, 1, 1, 1]);
    expect(m.ackFromFirstSend.max).toBeGreaterThanOrEqual(m.ack.max);
    m.arrived([
      { clientId: 'c', clientSeq: 1 },
      { clientId: 'other', clientSeq: 1 },
    ]);
    expect([m.received, m.fanout.count]).toEqual([2, 1]);
  });
});

describe("light editors' keystrokes", () => {
  it('the count accepted while the step typed is kept when typing ends; acceptances while it settles do not change it; reset clears all three', () => {
    const m = new BotMetrics();
    m.lightKeystrokes = 10;
    m.lightCommittedKeystrokes = 6;
    m.typingEnded();
    m.lightCommittedKeystrokes += 4; // accepted while the step settles
    expect(m.counters()).toMatchObject({ lightKeystrokes: 10, lightCommittedKeystrokes: 10, lightCommittedWhileTyping: 6 });
    m.reset();
    expect(m.counters()).toMatchObject({ lightKeystrokes: 0, lightCommittedKeystrokes: 0, lightCommittedWhileTyping: 0 });
  });
});
