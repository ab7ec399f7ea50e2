// A log-linear histogram, as HdrHistogram keeps one: values (ms) land in buckets whose width is a
// fixed fraction of their magnitude, so a percentile is exact to within that precision (0.5%
// here) whatever the range, in constant memory, and two histograms merge by adding counts.

const SUB_BUCKETS = 100; // per power of two: 1 / 128 < 1% relative width, reported at bucket middle

export class Histogram {
  private readonly counts = new Map<number, number>();
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;

  record(value: number): void {
    if (!Number.isFinite(value) || value < 0) return;
    const i = Histogram.index(value);
    this.counts.set(i, (this.counts.get(i) ?? 0) + 1);
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  merge(other: Histogram): void {
    for (const [i, n] of other.counts) this.counts.set(i, (this.counts.get(i) ?? 0) + n);
    this.count += other.count;
    this.sum += other.sum;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
  }

  /** The value at quantile q (0..1), or null when empty; clamped to the recorded min and max. */
  quantile(q: number): number | null {
    if (this.count === 0) return null;
    if (q <= 0) return this.min;
    if (q >= 1) return this.max;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (const i of [...this.counts.keys()].sort((a, b) => a - b)) {
      seen += this.counts.get(i)!;
      if (seen >= rank) return Math.min(this.max, Math.max(this.min, Histogram.value(i)));
    }
    return this.max;
  }

  mean(): number | null {
    return this.count === 0 ? null : this.sum / this.count;
  }

  /** Values below 1 µs share the first bucket; above, SUB_BUCKETS buckets per power of two. */
  static index(v: number): number {
    if (v < 0.001) return 0;
    const exp = Math.floor(Math.log2(v / 0.001));
    const base = 0.001 * 2 ** exp;
    return 1 + exp * SUB_BUCKETS + Math.min(SUB_BUCKETS - 1, Math.floor(((v - base) / base) * SUB_BUCKETS));
  }

  static value(i: number): number {
    if (i === 0) return 0;
    const exp = Math.floor((i - 1) / SUB_BUCKETS);
    const sub = (i - 1) % SUB_BUCKETS;
    const base = 0.001 * 2 ** exp;
    return base + (base * (sub + 0.5)) / SUB_BUCKETS;
  }
}

export interface Percentiles {
  mean: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

export function percentiles(h: Histogram): Percentiles {
  const r = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
  return { mean: r(h.mean()), p50: r(h.quantile(0.5)), p95: r(h.quantile(0.95)), p99: r(h.quantile(0.99)), max: h.count ? r(h.max) : null };
}
