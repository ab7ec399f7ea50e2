// Prometheus' text exposition format, read: samples as name, labels and value. Enough for the
// figures `stats` computes from two reads of the gateway's /metrics/ (counters and histograms);
// comments, timestamps and exemplars are ignored.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?/gy;

export function parsePromText(text: string): Sample[] {
  const out: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    if (m[2]) {
      LABEL.lastIndex = 0;
      let l: RegExpExecArray | null;
      while ((l = LABEL.exec(m[2])) !== null) labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    const value = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3]);
    out.push({ name: m[1]!, labels, value });
  }
  return out;
}

/** Sum of a metric's samples grouped by one label ('' groups everything). */
export function sumBy(
  samples: readonly Sample[],
  name: string,
  label: string,
  filter: (s: Sample) => boolean = () => true,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of samples) {
    if (s.name !== name || !filter(s)) continue;
    const k = label ? (s.labels[label] ?? '') : '';
    out.set(k, (out.get(k) ?? 0) + s.value);
  }
  return out;
}

/** Histogram buckets (cumulative, by upper bound) grouped by one label. */
export function bucketsBy(samples: readonly Sample[], base: string, label: string): Map<string, Map<number, number>> {
  const out = new Map<string, Map<number, number>>();
  for (const s of samples) {
    if (s.name !== `${base}_bucket` || s.labels.le === undefined) continue;
    const k = s.labels[label] ?? '';
    const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
    const m = out.get(k) ?? new Map<number, number>();
    m.set(le, (m.get(le) ?? 0) + s.value);
    out.set(k, m);
  }
  return out;
}

/**
 * The q-quantile of the observations between two reads of a cumulative histogram, interpolated
 * linearly within the bucket as Prometheus' histogram_quantile does; null without observations.
 */
export function quantile(q: number, before: Map<number, number> | undefined, after: Map<number, number> | undefined): number | null {
  if (!after) return null;
  const bounds = [...after.keys()].sort((a, b) => a - b);
  // A bucket that went down means the process restarted: count from the restart (increase()).
  const reset = before !== undefined && bounds.some((b) => (after.get(b) ?? 0) < (before.get(b) ?? 0));
  const counts = bounds.map((b) => (reset ? (after.get(b) ?? 0) : Math.max(0, (after.get(b) ?? 0) - (before?.get(b) ?? 0))));
  const total = counts.at(-1) ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  for (let i = 0; i < bounds.length; i++) {
    if (counts[i]! >= rank) {
      const upper = bounds[i]!;
      const lower = i === 0 ? 0 : bounds[i - 1]!;
      if (upper === Infinity) return lower;
      const below = i === 0 ? 0 : counts[i - 1]!;
      const inBucket = counts[i]! - below;
      return inBucket <= 0 ? upper : lower + ((upper - lower) * (rank - below)) / inBucket;
    }
  }
  return null;
}
