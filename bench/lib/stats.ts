/**
 * Latency histograms with 1 % relative precision and constant memory, mergeable across
 * processes (they travel over IPC as plain JSON). Values are milliseconds.
 */

const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
/** Values below this (1 µs) share bucket 0. */
const FLOOR_MS = 0.001;

export interface HistogramJson {
  readonly counts: Record<string, number>;
  readonly count: number;
  readonly sum: number;
  readonly max: number;
}

export class Histogram {
  #counts = new Map<number, number>();
  count = 0;
  sum = 0;
  max = 0;

  record(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    const bucket = ms <= FLOOR_MS ? 0 : Math.ceil(Math.log(ms / FLOOR_MS) / LOG_GROWTH);
    this.#counts.set(bucket, (this.#counts.get(bucket) ?? 0) + 1);
    this.count += 1;
    this.sum += ms;
    if (ms > this.max) this.max = ms;
  }

  /** The smallest recorded value v such that a fraction `q` of values are ≤ v (upper bucket bound, ≤ 1 % high). */
  quantile(q: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil(q * this.count));
    const buckets = [...this.#counts.keys()].sort((a, b) => a - b);
    let seen = 0;
    for (const bucket of buckets) {
      seen += this.#counts.get(bucket) ?? 0;
      if (seen >= rank) return Math.min(this.max, bucket === 0 ? FLOOR_MS : FLOOR_MS * GROWTH ** bucket);
    }
    return this.max;
  }

  merge(other: Histogram | HistogramJson): this {
    const source = other instanceof Histogram ? other.toJSON() : other;
    for (const [bucket, n] of Object.entries(source.counts)) {
      const key = Number(bucket);
      this.#counts.set(key, (this.#counts.get(key) ?? 0) + n);
    }
    this.count += source.count;
    this.sum += source.sum;
    this.max = Math.max(this.max, source.max);
    return this;
  }

  summary(): LatencySummary {
    return {
      count: this.count,
      p50: round(this.quantile(0.5)),
      p95: round(this.quantile(0.95)),
      p99: round(this.quantile(0.99)),
      max: round(this.max),
      mean: this.count ? round(this.sum / this.count) : Number.NaN,
    };
  }

  toJSON(): HistogramJson {
    return { counts: Object.fromEntries(this.#counts), count: this.count, sum: this.sum, max: this.max };
  }

  static from(json: HistogramJson): Histogram {
    return new Histogram().merge(json);
  }
}

/** Percentiles in milliseconds. */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

export const round = (x: number, digits = 2): number => (Number.isFinite(x) ? Number(x.toFixed(digits)) : x);
