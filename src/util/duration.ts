// Ages and windows as people type them: 500ms, 30s, 10m, 2h, 1d.

/** Milliseconds of a duration such as 30s, 10m, 2h or 1d; throws on anything else. */
export function parseDuration(v: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(v);
  if (!m) throw new Error('expected a duration such as 30s, 10m, 2h or 1d');
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
}
